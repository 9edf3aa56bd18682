#!/usr/bin/env bash
# Checkout throughput on PostgreSQL, next to pgbench's default TPC-B-like transaction rate on the same
# server in the same run, each with a load generator written in C (wrk, pgbench) and 32 connections:
# orders of 1 to 3 random products out of 100 (quantity 1, inline address), each request from the next
# of 64 customers (bench/lib/orders.lua; products and customers set up through the API by
# bench/Shop.LoadGen), after a warm-up until the API's JIT is done, as in bench/hotpaths.sh. Prints
# orders/s, p99 and failures next to pgbench's tps, and the CPU each costs: the API's per order,
# PostgreSQL's (all its processes) per order and per pgbench transaction.
#   bash bench/orders.sh [seconds=20] [connections=32]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/services.sh
. bench/lib/api.sh
seconds=${1:-20}; connections=${2:-32}; customers=64; products=100; warmup=20
bench_init shop_orders_bench -c shared_buffers=256MB
dotnet build bench/Shop.LoadGen -c Release -v q -nologo >/dev/null
start_api api.log Admin__Email=bench@shop.test Admin__Password=bench-admin-password RateLimiting__RegistrationsPerHour=100000
postmaster=$(head -1 "$pg_data/postmaster.pid")

say "set-up: $products products, $customers customers (bench/Shop.LoadGen)"
dotnet bench/Shop.LoadGen/bin/Release/net10.0/Shop.LoadGen.dll "http://127.0.0.1:$api_port" bench@shop.test bench-admin-password \
  "$customers" "$products" "$work/orders"

say "checkout: wrk, 2 threads, $connections connections, ${seconds}s after a warm-up"
read -r orders p99 api_cpu db_cpu < <(ORDERS="$work/orders" WRK_SCRIPT=bench/lib/orders.lua run orders "$api_port" orders "$api" "$postmaster")
failures=$(awk '/Non-2xx/ { print $NF; found = 1 } END { if (!found) print 0 }' "$work/orders.wrk")
timeouts=$(awk '/Socket errors/ { gsub(",", ""); print $NF; found = 1 } END { if (!found) print 0 }' "$work/orders.wrk")
placed=$(psql_run -d "$db" -c "SELECT count(*) FROM orders")
rss=$(awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$api/status")
kill "$api"; wait "$api" 2>/dev/null || true

say "pgbench (default TPC-B-like script), scale 10, $connections clients, ${seconds}s"
psql_run -c "CREATE DATABASE pgbench"
"$pg_bin/pgbench" -h 127.0.0.1 -p "$pg_port" -U postgres -i -s 10 -q pgbench >/dev/null 2>&1
before=$(server_ticks "$postmaster")
"$pg_bin/pgbench" -h 127.0.0.1 -p "$pg_port" -U postgres -c "$connections" -j 2 -T "$seconds" pgbench 2>/dev/null >"$work/pgbench.txt"
pg_ticks=$(( $(server_ticks "$postmaster") - before ))
tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/pgbench.txt")
transactions=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/pgbench.txt")
latency=$(sed -n 's/^latency average = \(.*\)$/\1/p' "$work/pgbench.txt")

say "result (CPU: microseconds per order or transaction)"
printf '  %-10s %10s %10s %9s %9s %10s %10s\n' "" "per second" "p99" "failures" "timeouts" "API CPU" "DB CPU"
printf '  %-10s %10s %10s %9s %9s %10s %10s\n' checkout "$orders" "$p99" "$failures" "$timeouts" "$api_cpu" "$db_cpu"
printf '  %-10s %10s %10s %9s %9s %10s %10s\n' pgbench "$tps" "avg $latency" - - - "$(( pg_ticks * 10000 / transactions ))"
printf '  ratio orders/s : pgbench tps = %.2f; %s orders in the database; API resident memory %s MB\n' "$(echo "$orders / $tps" | bc -l)" "$placed" "$rss"
[ "$failures" = 0 ] || { echo "ERROR: $failures orders were not placed (non-2xx); the API's log ends:" >&2; tail -c 3000 "$work/api.log" >&2; exit 1; }
