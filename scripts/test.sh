#!/usr/bin/env bash
# Runs every test: unit tests, and the HTTP-level tests against SQLite and a real PostgreSQL.
# A throwaway PostgreSQL is started on loopback (installed with apt-get when missing and we are
# root), used, and stopped. With SHOP_REQUIRE_SERVICES=1 (set by .ci/run and when CI=true) a
# server that cannot be started fails the run; otherwise its tests are left out with a warning.
set -euo pipefail
cd "$(dirname "$0")/.."

require=${SHOP_REQUIRE_SERVICES:-0}
[ "${CI:-}" = "true" ] && require=1
work=$(mktemp -d /tmp/shop-test.XXXXXX)
chmod 755 "$work"
pids_to_stop=()

say() { printf '\n== %s\n' "$*"; }
fail_or_warn() {
  if [ "$require" = 1 ]; then echo "ERROR: $*" >&2; exit 1; fi
  echo "WARNING: $* - its tests are skipped (set SHOP_REQUIRE_SERVICES=1 to make this an error)" >&2
}

free_port() {
  local port=$1
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

as_service_user() {
  # PostgreSQL refuses to run as root: run it as its own system user when we are root.
  local user=$1; shift
  if [ "$(id -u)" = 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi
}

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing $* with apt-get"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  fi
}

cleanup() {
  if [ -n "${pg_data:-}" ] && [ -f "$pg_data/postmaster.pid" ]; then
    as_service_user postgres "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

start_postgres() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$pg_bin" ]; then apt_install postgresql; pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true); fi
  if [ -z "$pg_bin" ]; then fail_or_warn "PostgreSQL is not installed"; return 1; fi

  pg_data="$work/pg"
  mkdir -p "$pg_data"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$pg_data"
  local port; port=$(free_port 55432)
  say "starting PostgreSQL ($pg_bin) on 127.0.0.1:$port"
  as_service_user postgres "$pg_bin/initdb" -D "$pg_data" --auth=trust -U postgres -E UTF8 >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log"; fail_or_warn "initdb failed"; return 1; }
  # fsync off: a throwaway server that dies with the run needs no durability, and it halves test time.
  as_service_user postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -t 30 \
    -o "-p $port -k $pg_data -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null \
    || { cat "$pg_data/server.log"; fail_or_warn "PostgreSQL did not start"; return 1; }
  export SHOP_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
}

filter=()
start_postgres || filter=(--filter "Category!=Postgres")

say "dotnet test"
dotnet test Shop.slnx -c Release "${filter[@]}" --logger "console;verbosity=minimal" "$@"
