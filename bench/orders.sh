#!/usr/bin/env bash
# Checkout throughput on PostgreSQL: orders placed per second by 32 concurrent customers buying
# from 100 products (bench/Shop.LoadGen), next to pgbench's default TPC-B-like transaction rate
# with 32 clients on the same server in the same run. Everything shares this machine's cores.
#   bash bench/orders.sh [clients=32] [products=100] [seconds=20]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/services.sh
services_init
require=1
clients=${1:-32}; products=${2:-100}; seconds=${3:-20}

start_postgres -c shared_buffers=256MB
say "building the API and the load generator (Release)"
dotnet build src/Shop.Api -c Release -v q -nologo >/dev/null
dotnet build bench/Shop.LoadGen -c Release -v q -nologo >/dev/null

psql_run -c "CREATE DATABASE shop_orders_bench"
port=$(free_port 5700)
env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port" Logging__LogLevel__Default=Warning \
  Jwt__SigningKey=benchmark-signing-key-0123456789abcdef0123456789 Admin__Email=bench@shop.test Admin__Password=bench-admin-password \
  RateLimiting__GlobalPerMinute=100000000 RateLimiting__RegistrationsPerHour=100000 \
  Database__Provider=Postgres ConnectionStrings__Database="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=shop_orders_bench;Maximum Pool Size=64" \
  dotnet src/Shop.Api/bin/Release/net10.0/Shop.Api.dll >"$work/api.log" 2>&1 &
api=$!; track_process "$api"
until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; do sleep 0.2; done

say "checkout: $clients clients, $products products, ${seconds}s"
dotnet bench/Shop.LoadGen/bin/Release/net10.0/Shop.LoadGen.dll "http://127.0.0.1:$port" bench@shop.test bench-admin-password "$clients" "$products" "$seconds" | tee "$work/orders.txt"
kill "$api"; wait "$api" 2>/dev/null || true

say "pgbench (default TPC-B-like script), scale 10, $clients clients, ${seconds}s"
psql_run -c "CREATE DATABASE pgbench"
"$pg_bin/pgbench" -h 127.0.0.1 -p "$pg_port" -U postgres -i -s 10 -q pgbench >/dev/null 2>&1
"$pg_bin/pgbench" -h 127.0.0.1 -p "$pg_port" -U postgres -c "$clients" -j 2 -T "$seconds" pgbench 2>/dev/null | tee "$work/pgbench.txt" | grep -E "^tps|latency average"

orders=$(sed -n 's/.* = \([0-9.]*\) orders\/s.*/\1/p' "$work/orders.txt")
tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/pgbench.txt")
say "result"
printf '  checkout: %s orders/s; pgbench: %s tps; ratio orders/s : pgbench tps = %.2f\n' "$orders" "$tps" "$(echo "$orders / $tps" | bc -l)"
