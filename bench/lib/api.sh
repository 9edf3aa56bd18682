# The set-up the API benchmarks share (sourced after scripts/lib/services.sh, from the repository root):
#   bench_init NAME [PostgreSQL settings...]: throwaway servers stopped at exit (services_init), wrk,
#     PostgreSQL, the API built in Release, an empty database NAME; sets db, connection (pool of 64) and
#     settings, the API's environment for it: Production, warnings only, rate limits out of reach and the
#     data cache off (Catalog:CacheReads=false), so that what is measured is the code and the database.
#     Loads bench/lib/wrk.sh (run).
#   start_api LOG [NAME=value...]: the API with those settings and any given after them (they win), on
#     a free port (api, api_port), once /health/ready answers; it logs to $work/LOG.
#   start_baseline LOG: bench/Shop.Baseline (built by the caller) on the same database (baseline, base_port).
#   print_plans PATH...: stops the API, starts one whose PostgreSQL sessions log every statement with its
#     plan (auto_explain: EXPLAIN (ANALYZE, BUFFERS) of exactly the SQL EF sends, parameters included),
#     requests each path twice (the plans of the second) and prints each statement's time and plan; then
#     starts the API as it was (start_api api.log).

bench_init() {
  local name=$1; shift
  services_init
  require=1
  command -v wrk >/dev/null || apt_install wrk
  start_postgres "$@"
  say "building the API (Release)"
  dotnet build src/Shop.Api -c Release -v q -nologo >/dev/null

  db=$name
  psql_run -c "CREATE DATABASE $db"
  connection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$db;Maximum Pool Size=64"
  settings=(ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Database__Provider=Postgres
    ConnectionStrings__Database="$connection" Jwt__SigningKey=benchmark-signing-key-0123456789abcdef0123456789
    RateLimiting__GlobalPerMinute=100000000 Catalog__CacheReads=false)
  . bench/lib/wrk.sh
}

# log url pid: waits until url answers; a process that exits first fails the benchmark with its log.
wait_ready() {
  until curl -sf -o /dev/null "$2"; do
    running "$3" || { echo "ERROR: it exited before answering $2; $work/$1 ends:" >&2; tail -c 3000 "$work/$1" >&2; exit 1; }
    sleep 0.2
  done
}

start_api() {
  local log=$1; shift
  api_port=$(free_port 5800)
  env "${settings[@]}" "$@" ASPNETCORE_URLS="http://127.0.0.1:$api_port" dotnet src/Shop.Api/bin/Release/net10.0/Shop.Api.dll >"$work/$log" 2>&1 &
  api=$!; track_process "$api"
  wait_ready "$log" "http://127.0.0.1:$api_port/health/ready" "$api"
}

start_baseline() {
  base_port=$(free_port $((${api_port:-5800} + 1)))
  env ASPNETCORE_URLS="http://127.0.0.1:$base_port" ConnectionStrings__Database="$connection" \
    dotnet bench/Shop.Baseline/bin/Release/net10.0/Shop.Baseline.dll >"$work/$1" 2>&1 &
  baseline=$!; track_process "$baseline"
  wait_ready "$1" "http://127.0.0.1:$base_port/static" "$baseline"
}

print_plans() {
  kill "$api"; wait "$api" 2>/dev/null || true
  start_api plans.log ConnectionStrings__Database="$connection;Options=-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 -c auto_explain.log_analyze=on -c auto_explain.log_buffers=on"
  local path from
  for path in "$@"; do curl -sf -o /dev/null "http://127.0.0.1:$api_port$path"; done # warm: the plans of a second run
  for path in "$@"; do
    from=$(($(stat -c %s "$pg_data/server.log") + 1))
    curl -sf -o /dev/null "http://127.0.0.1:$api_port$path"
    sleep 0.5 # the server logs a plan as the statement ends, maybe after the answer has left
    tail -c +"$from" "$pg_data/server.log" >"$work/plan"
    say "plans: $path"
    awk -f bench/lib/plans.awk "$work/plan"
  done
  kill "$api"; wait "$api" 2>/dev/null || true
  start_api api.log
}
