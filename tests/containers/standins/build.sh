#!/usr/bin/env bash
# Builds local stand-ins for the base images the project's Dockerfile and compose.yaml name, tagged
# with the official names, on a machine that reaches no container registry (see
# tests/containers/README.md). Each one is built only when missing, so a machine builds them once.
# Needs root, podman, mmdebstrap; CONTAINERS_CONF set as in tests/containers/containers.conf.
# FORCE=1 rebuilds them all.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
base=localhost/shop-standin-base:bookworm
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")

missing() { [ "${FORCE:-0}" = 1 ] || ! podman image exists "$1"; }

if missing "$base"; then
  echo "stand-ins: a Debian 12 root filesystem (mmdebstrap) -> $base"
  tarball=$(mktemp /tmp/shop-standin-base.XXXXXX.tar)
  trap 'rm -f "$tarball"' EXIT
  # minbase, no recommends, no docs or locales; merged /usr (without the hook usrmerge pulls in perl);
  # the host's CA bundle, which knows the proxy that intercepts HTTPS here, installed so that a later
  # apt run or update-ca-certificates keeps it.
  mmdebstrap --quiet --variant=minbase --include=ca-certificates,libicu72,libssl3,tzdata \
    --aptopt='APT::Install-Recommends "false"' --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook='mkdir -p "$1/usr/local/share/ca-certificates"' \
    --customize-hook='copy-in /etc/ssl/certs/ca-certificates.crt /usr/local/share/ca-certificates/' \
    --customize-hook='mv "$1/usr/local/share/ca-certificates/ca-certificates.crt" "$1/usr/local/share/ca-certificates/host-bundle.crt"' \
    --customize-hook='chroot "$1" update-ca-certificates >/dev/null 2>&1' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
    bookworm "$tarball"
  podman import --quiet --change 'CMD ["/bin/bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$tarball" "$base" >/dev/null
  rm -f "$tarball"
fi

build() { # image, stand-in directory, build context
  if missing "$1"; then
    echo "stand-ins: $1"
    podman build --quiet --pull=never --format docker -f "$here/$2/Containerfile" -t "$1" "$3" >/dev/null
  fi
}
build mcr.microsoft.com/dotnet/aspnet:10.0 aspnet "$dotnet_root"
build mcr.microsoft.com/dotnet/sdk:10.0 sdk "$dotnet_root"
build docker.io/library/postgres:16 postgres "$here/postgres"
build docker.io/library/redis:7 redis "$here/redis"
build docker.io/library/rabbitmq:3-management rabbitmq "$here/rabbitmq"
build docker.io/axllent/mailpit:latest mailpit "$here/mailpit"
