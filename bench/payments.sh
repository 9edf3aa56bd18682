#!/usr/bin/env bash
# End-to-end payment latency (POST /payments with tok_visa until the order reads "paid"), median
# and p99 over 200 payments: (1) the embedded mode, SQLite with durable local queues in the API
# process; (2) PostgreSQL and RabbitMQ, a publish-only API and one worker process.
#   bash bench/payments.sh [payments=200] [concurrency=4]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/services.sh
services_init
require=1
payments=${1:-200}; concurrency=${2:-4}

start_postgres -c shared_buffers=256MB
start_rabbitmq
say "building (Release)"
for p in src/Shop.Api src/Shop.Worker bench/Shop.PayBench; do dotnet build "$p" -c Release -v q -nologo >/dev/null; done
common=(ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Jwt__SigningKey=benchmark-signing-key-0123456789abcdef0123456789
  Admin__Email=bench@shop.test Admin__Password=bench-admin-password RateLimiting__GlobalPerMinute=100000000 Smtp__PickupDirectory="$work/mail")

wait_ready() { until curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null; do sleep 0.2; done; }

port=$(free_port 5800)
say "SQLite, local durable queues, one process"
env "${common[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port" ConnectionStrings__Database="Data Source=$work/bench.db" \
  dotnet src/Shop.Api/bin/Release/net10.0/Shop.Api.dll >"$work/sqlite.log" 2>&1 &
api=$!; track_process "$api"
wait_ready "$port"
dotnet bench/Shop.PayBench/bin/Release/net10.0/Shop.PayBench.dll "http://127.0.0.1:$port" bench@shop.test bench-admin-password "$payments" "$concurrency"
kill "$api"; wait "$api" 2>/dev/null || true

say "PostgreSQL + RabbitMQ, publish-only API and one worker"
psql_run -c "CREATE DATABASE shop_pay_bench"
pg=(Database__Provider=Postgres ConnectionStrings__Database="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=shop_pay_bench" ConnectionStrings__RabbitMq="$SHOP_TEST_RABBITMQ")
env "${common[@]}" "${pg[@]}" Workers__Enabled=false ASPNETCORE_URLS="http://127.0.0.1:$port" dotnet src/Shop.Api/bin/Release/net10.0/Shop.Api.dll >"$work/pg-api.log" 2>&1 &
api=$!; track_process "$api"
wait_ready "$port"
env "${common[@]}" "${pg[@]}" dotnet src/Shop.Worker/bin/Release/net10.0/Shop.Worker.dll >"$work/pg-worker.log" 2>&1 &
worker=$!; track_process "$worker"
sleep 5
dotnet bench/Shop.PayBench/bin/Release/net10.0/Shop.PayBench.dll "http://127.0.0.1:$port" bench@shop.test bench-admin-password "$payments" "$concurrency"
kill "$api" "$worker"; wait "$api" "$worker" 2>/dev/null || true
