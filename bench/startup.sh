#!/usr/bin/env bash
# Start-up of the Release API on a fresh SQLite database (the embedded default): time from
# launching the process to /health/ready answering 200, then the latency of the first payment
# (POST /payments with tok_visa until the order reads "paid": the first messages handled).
# Wolverine's handler code pre-generated (Static, the Release default) against generated at
# run time (Dynamic), alternating, several rounds; medians.
#   bash bench/startup.sh [rounds=5]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/services.sh
services_init
rounds=${1:-5}

say "building (Release)"
for p in src/Shop.Api bench/Shop.PayBench; do dotnet build "$p" -c Release -v q -nologo >/dev/null; done
port=$(free_port 5900)
now_ms() { date +%s%3N; }

run_once() { # mode -> "ready_ms first_payment_ms"
  local mode=$1 dir; dir=$(mktemp -d "$work/run.XXXX")
  local start; start=$(now_ms)
  env ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Jwt__SigningKey=benchmark-signing-key-0123456789abcdef0123456789 \
    Admin__Email=bench@shop.test Admin__Password=bench-admin-password Smtp__PickupDirectory="$dir/mail" \
    Wolverine__TypeLoadMode="$mode" ASPNETCORE_URLS="http://127.0.0.1:$port" ConnectionStrings__Database="Data Source=$dir/shop.db" \
    dotnet src/Shop.Api/bin/Release/net10.0/Shop.Api.dll >"$dir/api.log" 2>&1 &
  local api=$!; track_process "$api"
  until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; do
    kill -0 "$api" 2>/dev/null || { cat "$dir/api.log" >&2; exit 1; }
    sleep 0.02
  done
  local ready=$(( $(now_ms) - start ))
  local first
  first=$(dotnet bench/Shop.PayBench/bin/Release/net10.0/Shop.PayBench.dll "http://127.0.0.1:$port" bench@shop.test bench-admin-password 1 1 \
    | sed -n "s/.*(cold): \([0-9]*\).*/\1/p")
  kill "$api"; wait "$api" 2>/dev/null || true
  echo "$ready $first"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

: >"$work/Static"; : >"$work/Dynamic"
for i in $(seq 1 "$rounds"); do
  for mode in Static Dynamic; do
    result=$(run_once "$mode")
    echo "round $i $mode: ready ${result% *} ms, first payment ${result#* } ms"
    echo "$result" >>"$work/$mode"
  done
done

say "medians over $rounds rounds"
for mode in Static Dynamic; do
  echo "$mode: ready $(cut -d' ' -f1 "$work/$mode" | median) ms, first payment $(cut -d' ' -f2 "$work/$mode" | median) ms"
done
static_ready=$(cut -d' ' -f1 "$work/Static" | median); dynamic_ready=$(cut -d' ' -f1 "$work/Dynamic" | median)
static_first=$(cut -d' ' -f2 "$work/Static" | median); dynamic_first=$(cut -d' ' -f2 "$work/Dynamic" | median)
awk -v s="$static_ready" -v d="$dynamic_ready" -v sf="$static_first" -v df="$dynamic_first" \
  'BEGIN { printf "pre-generated / runtime-generated: ready x%.2f, ready + first payment x%.2f\n", s/d, (s+sf)/(d+df) }'
