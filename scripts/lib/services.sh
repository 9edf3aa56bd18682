# Throwaway servers on loopback for tests and benchmarks. Source this file, then call the
# start_* functions; stop_services (registered by services_init) stops everything at exit.
# With require=1 a server that cannot be started is an error, otherwise a warning.

services_init() {
  require=${SHOP_REQUIRE_SERVICES:-0}
  [ "${CI:-}" = "true" ] && require=1
  work=$(mktemp -d /tmp/shop-services.XXXXXX)
  chmod 755 "$work"
  trap stop_services EXIT
}

say() { printf '\n== %s\n' "$*"; }

fail_or_warn() {
  if [ "$require" = 1 ]; then echo "ERROR: $*" >&2; exit 1; fi
  echo "WARNING: $* - what needs it is left out (set SHOP_REQUIRE_SERVICES=1 to make this an error)" >&2
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

stop_services() {
  if [ -n "${pg_data:-}" ] && [ -f "$pg_data/postmaster.pid" ]; then
    as_service_user postgres "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
  fi
  [ -n "${work:-}" ] && rm -rf "$work"
}

# Starts PostgreSQL; sets pg_bin, pg_port and exports SHOP_TEST_POSTGRES. Extra arguments are
# extra server settings ("-c name=value").
start_postgres() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$pg_bin" ]; then apt_install postgresql postgresql-contrib; pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true); fi
  if [ -z "$pg_bin" ]; then fail_or_warn "PostgreSQL is not installed"; return 1; fi

  pg_data="$work/pg"
  mkdir -p "$pg_data"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$pg_data"
  pg_port=$(free_port 55432)
  say "starting PostgreSQL ($pg_bin) on 127.0.0.1:$pg_port"
  as_service_user postgres "$pg_bin/initdb" -D "$pg_data" --auth=trust -U postgres -E UTF8 >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log"; fail_or_warn "initdb failed"; return 1; }
  as_service_user postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -t 30 \
    -o "-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 -c max_connections=300 $*" start >/dev/null \
    || { cat "$pg_data/server.log"; fail_or_warn "PostgreSQL did not start"; return 1; }
  export SHOP_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
}

psql_run() { "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
