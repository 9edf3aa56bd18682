# Throwaway servers on loopback for tests and benchmarks. Source this file, then call the
# start_* functions; stop_services (registered by services_init) stops everything at exit.
# With require=1 a server that cannot be started is an error, otherwise a warning.

services_init() {
  require=${SHOP_REQUIRE_SERVICES:-0}
  [ "${CI:-}" = "true" ] && require=1
  work=$(mktemp -d /tmp/shop-services.XXXXXX)
  chmod 755 "$work"
  trap stop_services EXIT
  trap "exit 130" INT TERM
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

# Processes a script started in the background (an API, a worker) to stop at exit with the servers,
# also when the script fails half-way: SIGTERM, then SIGKILL after 10 s.
app_pids=()
track_process() { app_pids+=("$1"); }
running() { local state; state=$(ps -o stat= -p "$1" 2>/dev/null) && [ "${state:0:1}" != Z ]; } # a zombie has exited

stop_services() {
  local app
  for app in "${app_pids[@]}"; do kill "$app" 2>/dev/null || true; done
  for app in "${app_pids[@]}"; do
    for _ in $(seq 1 100); do running "$app" || break; sleep 0.1; done
    kill -9 "$app" 2>/dev/null || true
  done
  if [ -n "${standby_data:-}" ] && [ -f "$standby_data/postmaster.pid" ]; then
    as_service_user postgres "$pg_bin/pg_ctl" -D "$standby_data" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [ -n "${pg_data:-}" ] && [ -f "$pg_data/postmaster.pid" ]; then
    as_service_user postgres "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
  fi
  stop_rabbitmq
  local redis_pids=() pidfile pid
  for pidfile in "${work:-/nonexistent}"/redis*.pid; do
    if [ -f "$pidfile" ]; then redis_pids+=("$(cat "$pidfile")"); fi
  done
  if [ ${#redis_pids[@]} -gt 0 ]; then
    kill "${redis_pids[@]}" 2>/dev/null || true
    # Wait for them to exit: a cluster node writes its nodes.conf on the way out.
    for pid in "${redis_pids[@]}"; do
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
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
  as_service_user postgres "$pg_bin/initdb" -D "$pg_data" --auth=trust -U postgres -E UTF8 >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log"; fail_or_warn "initdb failed"; return 1; }
  # A port found free can be taken before the server binds it (an outgoing connection's ephemeral
  # port: 32768-60999 on Linux, seen once): then the next free one is tried.
  local attempt
  for attempt in 1 2 3; do
    pg_port=$(free_port $((55432 + (attempt - 1) * 10)))
    say "starting PostgreSQL ($pg_bin) on 127.0.0.1:$pg_port"
    as_service_user postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -t 30 \
      -o "-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 -c max_connections=300 $*" start >/dev/null && break
    if [ "$attempt" = 3 ] || ! grep -q "Address already in use" "$pg_data/server.log"; then
      cat "$pg_data/server.log"; fail_or_warn "PostgreSQL did not start"; return 1
    fi
  done
  export SHOP_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
}

# Starts a streaming standby of the server start_postgres started (pg_basebackup -R, hot standby) on
# another loopback port, with its settings in its own postgresql.auto.conf so that a plain
# "pg_ctl start" brings it back. Exports SHOP_TEST_POSTGRES_STANDBY (its connection string, database
# postgres) and SHOP_TEST_POSTGRES_STANDBY_CTL (a pg_ctl command line for it, to which tests add
# "stop -m fast" or "start"). Extra arguments are lines for its postgresql.auto.conf.
start_postgres_standby() {
  standby_data="$work/pg-standby"
  mkdir -p "$standby_data"; chmod 700 "$standby_data"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$standby_data"
  as_service_user postgres "$pg_bin/pg_basebackup" -h 127.0.0.1 -p "$pg_port" -U postgres -D "$standby_data" -R -X stream -c fast >"$work/basebackup.log" 2>&1 \
    || { cat "$work/basebackup.log"; fail_or_warn "pg_basebackup failed"; return 1; }
  standby_port=$(free_port $((pg_port + 1)))
  {
    echo "port = $standby_port"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$standby_data'"
    echo "hot_standby = on"
    echo "hot_standby_feedback = on"
    echo "max_connections = 300"
    local line; for line in "$@"; do echo "$line"; done
  } >>"$standby_data/postgresql.auto.conf"
  say "starting a streaming standby of PostgreSQL on 127.0.0.1:$standby_port"
  SHOP_TEST_POSTGRES_STANDBY_CTL="$pg_bin/pg_ctl -D $standby_data -l $standby_data/server.log -w -t 30"
  [ "$(id -u)" = 0 ] && SHOP_TEST_POSTGRES_STANDBY_CTL="runuser -u postgres -- $SHOP_TEST_POSTGRES_STANDBY_CTL"
  $SHOP_TEST_POSTGRES_STANDBY_CTL start >/dev/null || { cat "$standby_data/server.log"; fail_or_warn "the PostgreSQL standby did not start"; return 1; }
  export SHOP_TEST_POSTGRES_STANDBY="Host=127.0.0.1;Port=$standby_port;Username=postgres;Database=postgres"
  export SHOP_TEST_POSTGRES_STANDBY_CTL
}

# Starts a private RabbitMQ node; sets rabbit_port and exports SHOP_TEST_RABBITMQ. The Debian
# package runs the node as the rabbitmq user, so its directory belongs to that user.
start_rabbitmq() {
  if ! command -v rabbitmq-server >/dev/null && [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then apt_install rabbitmq-server; fi
  local server; server=$(command -v rabbitmq-server || echo /usr/lib/rabbitmq/bin/rabbitmq-server)
  if [ ! -x "$server" ]; then fail_or_warn "RabbitMQ is not installed"; return 1; fi

  rabbit_dir="$work/rabbitmq"
  mkdir -p "$rabbit_dir"
  id rabbitmq >/dev/null 2>&1 && chown rabbitmq:rabbitmq "$rabbit_dir"
  rabbit_port=$(free_port 5682)
  local dist_port; dist_port=$(free_port $((rabbit_port + 20000)))
  epmd_before=$(pgrep -x epmd || true)
  say "starting RabbitMQ on 127.0.0.1:$rabbit_port"
  env RABBITMQ_NODENAME="shoptest$rabbit_port@localhost" RABBITMQ_NODE_PORT="$rabbit_port" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_DIST_PORT="$dist_port" RABBITMQ_MNESIA_BASE="$rabbit_dir/mnesia" RABBITMQ_LOG_BASE="$rabbit_dir/log" \
    RABBITMQ_FEATURE_FLAGS_FILE="$rabbit_dir/feature_flags" RABBITMQ_ENABLED_PLUGINS_FILE="$rabbit_dir/enabled_plugins" \
    RABBITMQ_PID_FILE="$rabbit_dir/rabbit.pid" RABBITMQ_GENERATED_CONFIG_DIR="$rabbit_dir/config" RABBITMQ_SCHEMA_DIR="$rabbit_dir/schema" \
    RABBITMQ_QUORUM_DIR="$rabbit_dir/quorum" RABBITMQ_STREAM_DIR="$rabbit_dir/stream" RABBITMQ_CONFIG_FILE="$rabbit_dir/rabbitmq" \
    "$server" >"$work/rabbitmq.out" 2>&1 &
  rabbit_launcher=$!
  # The node accepts AMQP about 10 s after start; poll the port, not rabbitmqctl (a second per call).
  for _ in $(seq 1 120); do
    if (echo >"/dev/tcp/127.0.0.1/$rabbit_port") 2>/dev/null; then
      export SHOP_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:$rabbit_port/"
      return 0
    fi
    sleep 0.5
  done
  tail -20 "$work/rabbitmq.out" >&2
  fail_or_warn "RabbitMQ did not start"
  return 1
}

stop_rabbitmq() {
  [ -n "${rabbit_dir:-}" ] || return 0
  if [ -f "$rabbit_dir/rabbit.pid" ]; then kill -9 "$(cat "$rabbit_dir/rabbit.pid")" 2>/dev/null || true; fi
  [ -n "${rabbit_launcher:-}" ] && kill "$rabbit_launcher" 2>/dev/null || true
  # epmd came up with our node: stop it by its PID, unless it was there before us.
  if [ -z "${epmd_before:-}" ]; then
    for pid in $(pgrep -x epmd || true); do kill "$pid" 2>/dev/null || true; done
  fi
  rabbit_dir=""
}

# Starts a private Redis (no persistence); sets redis_port and exports SHOP_TEST_REDIS.
start_redis() {
  command -v redis-server >/dev/null || apt_install redis-server
  if ! command -v redis-server >/dev/null; then fail_or_warn "Redis is not installed"; return 1; fi
  redis_port=$(free_port 56379)
  say "starting Redis on 127.0.0.1:$redis_port"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$work" --pidfile "$work/redis.pid" --logfile "$work/redis.log" \
    || { fail_or_warn "Redis did not start"; return 1; }
  for _ in $(seq 1 50); do
    if (echo >"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null; then
      export SHOP_TEST_REDIS="127.0.0.1:$redis_port"
      return 0
    fi
    sleep 0.1
  done
  fail_or_warn "Redis did not start"
  return 1
}

# Starts a 3-node Redis Cluster (3 masters, no replicas, no persistence), each node in its own
# directory; exports SHOP_TEST_REDIS_CLUSTER as the StackExchange.Redis list of its nodes.
start_redis_cluster() {
  command -v redis-cli >/dev/null || apt_install redis-server
  if ! command -v redis-cli >/dev/null; then fail_or_warn "Redis is not installed"; return 1; fi
  # A node also listens on its port + 10000 (the cluster bus), so the ports stay below 55536.
  local nodes=() port=47000 i
  for i in 1 2 3; do
    port=$(free_port $((port + 1)))
    while (echo >"/dev/tcp/127.0.0.1/$((port + 10000))") 2>/dev/null; do port=$(free_port $((port + 1))); done
    mkdir -p "$work/redis-cluster-$i"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --cluster-enabled yes --cluster-config-file "$work/redis-cluster-$i/nodes.conf" --cluster-node-timeout 5000 \
      --dir "$work/redis-cluster-$i" --pidfile "$work/redis-cluster-$i.pid" --logfile "$work/redis-cluster-$i.log" \
      || { fail_or_warn "a Redis Cluster node did not start"; return 1; }
    nodes+=("127.0.0.1:$port")
  done
  say "starting a Redis Cluster on ${nodes[*]}"
  for _ in $(seq 1 50); do
    redis-cli -p "${nodes[2]#*:}" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$work/redis-cluster-create.log" 2>&1 \
    || { cat "$work/redis-cluster-create.log" >&2; fail_or_warn "the Redis Cluster could not be created"; return 1; }
  local ok node
  for _ in $(seq 1 100); do
    ok=0
    for node in "${nodes[@]}"; do
      redis-cli -p "${node#*:}" cluster info 2>/dev/null | grep -q 'cluster_state:ok' && ok=$((ok + 1))
    done
    if [ "$ok" = 3 ]; then
      export SHOP_TEST_REDIS_CLUSTER
      SHOP_TEST_REDIS_CLUSTER=$(IFS=,; echo "${nodes[*]}")
      return 0
    fi
    sleep 0.1
  done
  fail_or_warn "the Redis Cluster did not reach cluster_state:ok"
  return 1
}

psql_run() { "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
