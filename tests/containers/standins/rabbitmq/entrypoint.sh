#!/bin/bash
# The official image's user contract: RABBITMQ_DEFAULT_USER/_PASS become the default user (guest
# otherwise, which RabbitMQ lets in from loopback only), via rabbitmq.conf.
set -euo pipefail
{
  echo "loopback_users = none"
  echo "default_user = ${RABBITMQ_DEFAULT_USER:-guest}"
  echo "default_pass = ${RABBITMQ_DEFAULT_PASS:-guest}"
} >/etc/rabbitmq/rabbitmq.conf
mkdir -p /var/lib/rabbitmq /var/log/rabbitmq
chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /var/log/rabbitmq
if [ "$1" = rabbitmq-server ]; then exec runuser -u rabbitmq -- /usr/lib/rabbitmq/bin/rabbitmq-server; fi
exec "$@"
