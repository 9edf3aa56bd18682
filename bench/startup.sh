#!/usr/bin/env bash
# Start-up of the Release API (time from launching the process to /health/ready answering 200), in
# one of two cases; several rounds, medians.
#
#   bash bench/startup.sh [rounds=5]
#     A fresh SQLite database (the embedded default), then the latency of the first payment (POST
#     /payments with tok_visa until the order reads "paid": the first messages handled). Wolverine's
#     handler code pre-generated (Static, the Release default) against generated at run time
#     (Dynamic), alternating.
#   bash bench/startup.sh warm [rounds=9]
#     What `dotnet run` does on a developer's machine every time but the first: the Development
#     environment, a SQLite database already migrated, with the demo catalog and the admin. One
#     start creates and seeds it (not counted); then each round starts the API on it again. Also
#     says where the time goes, from the log's timestamps: until the schema is checked (host
#     built, EF Core model, migrations), until Kestrel listens (admin, demo catalog check,
#     Wolverine, the HTTP pipeline), until ready (the first request).
# STARTUP_PORT picks the port (by default the first free one from 5900).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/services.sh
services_init
mode=fresh
if [ "${1:-}" = warm ]; then mode=warm; shift; fi
rounds=${1:-$([ "$mode" = warm ] && echo 9 || echo 5)}

say "building (Release)"
for p in src/Shop.Api $([ "$mode" = fresh ] && echo bench/Shop.PayBench); do dotnet build "$p" -c Release -v q -nologo >/dev/null; done
port=${STARTUP_PORT:-$(free_port 5900)}
now_ms() { date +%s%3N; }
# pid log: polls /health/ready every 20 ms; a process that exits first fails the run with its log.
wait_ready() {
  until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; do
    kill -0 "$1" 2>/dev/null || { cat "$2" >&2; exit 1; }
    sleep 0.02
  done
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

if [ "$mode" = warm ]; then
  dir=$(mktemp -d "$work/warm.XXXX")
  # ms from $2 (launch, epoch ms) to the first log line of $1 whose message starts with $3.
  logged_after() {
    local at; at=$(grep -m1 "\"Message\":\"$3" "$1" | sed -n 's/^{"Timestamp":"\([^"]*\)".*/\1/p')
    [ -n "$at" ] && echo $(( $(date -d "$at" +%s%3N) - $2 )) || echo 0
  }
  start_warm() { # -> "ready schema listening" (ms from launch)
    local start; start=$(now_ms)
    # From the project's directory, as `dotnet run` does: its appsettings.json are the configuration.
    (cd src/Shop.Api && exec env ASPNETCORE_ENVIRONMENT=Development Seed__DemoData=true Admin__Email=bench@shop.test \
      Admin__Password=bench-admin-password Smtp__PickupDirectory="$dir/mail" ASPNETCORE_URLS="http://127.0.0.1:$port" \
      ConnectionStrings__Database="Data Source=$dir/shop.db" dotnet bin/Release/net10.0/Shop.Api.dll) >"$dir/api.log" 2>&1 &
    local api=$!; track_process "$api"
    wait_ready "$api" "$dir/api.log"
    local ready=$(( $(now_ms) - start ))
    kill "$api"; wait "$api" 2>/dev/null || true
    echo "$ready $(logged_after "$dir/api.log" "$start" "Database schema is current") $(logged_after "$dir/api.log" "$start" "Now listening")"
  }

  say "creating and seeding the database (not counted)"
  echo "first start: ready $(start_warm | cut -d' ' -f1) ms"
  : >"$work/warm"
  for i in $(seq 1 "$rounds"); do
    result=$(start_warm)
    read -r ready schema listening <<<"$result"
    echo "round $i: ready $ready ms (schema current at $schema, listening at $listening)"
    echo "$result" >>"$work/warm"
  done

  say "medians over $rounds warm starts (ms from launch)"
  column() { cut -d' ' -f"$1" "$work/warm" | median; }
  echo "schema current $(column 2), listening $(column 3), ready $(column 1)"
  exit 0
fi

run_once() { # mode -> "ready_ms first_payment_ms"
  local mode=$1 dir; dir=$(mktemp -d "$work/run.XXXX")
  local start; start=$(now_ms)
  env ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Jwt__SigningKey=benchmark-signing-key-0123456789abcdef0123456789 \
    Admin__Email=bench@shop.test Admin__Password=bench-admin-password Smtp__PickupDirectory="$dir/mail" \
    Wolverine__TypeLoadMode="$mode" ASPNETCORE_URLS="http://127.0.0.1:$port" ConnectionStrings__Database="Data Source=$dir/shop.db" \
    dotnet src/Shop.Api/bin/Release/net10.0/Shop.Api.dll >"$dir/api.log" 2>&1 &
  local api=$!; track_process "$api"
  wait_ready "$api" "$dir/api.log"
  local ready=$(( $(now_ms) - start ))
  local first
  first=$(dotnet bench/Shop.PayBench/bin/Release/net10.0/Shop.PayBench.dll "http://127.0.0.1:$port" bench@shop.test bench-admin-password 1 1 \
    | sed -n "s/.*(cold): \([0-9]*\).*/\1/p")
  kill "$api"; wait "$api" 2>/dev/null || true
  echo "$ready $first"
}

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
