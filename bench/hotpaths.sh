#!/usr/bin/env bash
# The catalog's uncached paths on PostgreSQL, Release, 32 connections (wrk), at 10,000 and then
# 1,000,000 products (SHOP_BENCH_SIZES), the data cache off (Catalog:CacheReads=false), each row next
# to the same query with raw Npgsql in a bare ASP.NET Core app (bench/Shop.Baseline) in the same run:
#   product detail by id (1,000 products spread over the catalog, in turn)  vs  /product/{id};
#   a filtered, sorted list page (5 departments' subtrees, price range, sort=price, pages 1-5)  vs  /page;
#   a search, ?q= (8 words and pairs, pages 1-3, newest first)  vs  /search.
# The catalog comes from the API's own seed command (deterministic). Prints the ratios, p99s, each
# server's CPU per request, the API's resident memory, and the plans PostgreSQL chose.
#   bash bench/hotpaths.sh [seconds=15] [connections=32]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/services.sh
. bench/lib/api.sh
seconds=${1:-15}; connections=${2:-32}; warmup=${SHOP_BENCH_WARMUP:-20}; sizes=${SHOP_BENCH_SIZES:-10000 1000000}
bench_init shop_hotpaths_bench -c shared_buffers=512MB -c max_connections=300
say "building the baseline (Release)"
dotnet build bench/Shop.Baseline -c Release -v q -nologo >/dev/null

ms() { awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[0-9]s$/ && $1 !~ /ms$/) v *= 1000; printf "%.2f", v }' <<<"$1"; }

declare -A p99s
for n in $sizes; do
  say "seeding $n products (dotnet Shop.Api.dll seed)"
  env "${settings[@]}" dotnet src/Shop.Api/bin/Release/net10.0/Shop.Api.dll seed --products "$n" | tail -1
  psql_run -d "$db" -c "VACUUM ANALYZE" >/dev/null

  start_api "api-$n.log"
  start_baseline "baseline-$n.log"

  # Seeded product i has the id 00000000-5eed-7000-8000-<i, 12 digits>: 1,000 spread over the catalog.
  : >"$work/detail"; : >"$work/raw-detail"
  for k in $(seq 1 1000); do
    id=$(printf '00000000-5eed-7000-8000-%012d' $(( k * n / 1000 )))
    echo "/api/v1/products/$id" >>"$work/detail"; echo "/product/$id" >>"$work/raw-detail"
  done
  : >"$work/list"; : >"$work/raw-list"
  while read -r department; do
    for page in 1 2 3 4 5; do
      echo "/api/v1/products?categoryId=$department&minPrice=20&maxPrice=300&sort=price&page=$page" >>"$work/list"
      echo "/page?categoryId=$department&minPrice=20&maxPrice=300&page=$page" >>"$work/raw-list"
    done
  done < <(psql_run -d "$db" -c "SELECT id FROM categories WHERE parent_id IS NULL ORDER BY slug")
  : >"$work/search"; : >"$work/raw-search"
  for q in oak steel vintage lamp wool%20chair smart%20ceramic rugged%20tent linen; do
    for page in 1 2 3; do
      echo "/api/v1/products?q=$q&page=$page" >>"$work/search"; echo "/search?q=${q//%20/ }&page=$page" >>"$work/raw-search"
    done
  done
  sed -i 's/ /%20/g' "$work/raw-search"

  # Same answers from both sides: the same JSON, byte for byte (Shop's ETag and headers aside).
  for pair in "detail raw-detail" "list raw-list" "search raw-search"; do
    set -- $pair
    for line in 1 7; do
      shop=$(curl -sf "http://127.0.0.1:$api_port$(sed -n "${line}p" "$work/$1")")
      raw=$(curl -sf "http://127.0.0.1:$base_port$(sed -n "${line}p" "$work/$2")")
      [ "$shop" = "$raw" ] || { echo "ERROR: $1 disagrees with the raw app:" >&2; echo "Shop: ${shop:0:600}" >&2; echo "raw:  ${raw:0:600}" >&2; exit 1; }
    done
  done

  say "$n products: wrk, 2 threads, $connections connections, ${seconds}s each after a warm-up"
  declare -A rps p99 cpu
  for row in raw-detail detail raw-list list raw-search search; do
    if [[ $row == raw-* ]]; then port=$base_port; pid=$baseline; else port=$api_port; pid=$api; fi
    read -r rps[$row] p99[$row] cpu[$row] < <(run "$row-$n" "$port" "$row" "$pid")
  done
  rss=$(awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$api/status")
  # A wrong answer fails the benchmark; a request slower than wrk's 2 s timeout is counted and reported.
  grep -H "Non-2xx\|^status " "$work"/*-"$n".wrk && { echo "ERROR: errors under load (above); the API's log ends:" >&2; tail -c 3000 "$work/api-$n.log" >&2; exit 1; } || true
  timeouts() { awk '/Socket errors/ { gsub(",", ""); print $NF; found = 1 } END { if (!found) print 0 }' "$work/$1-$n.wrk"; }

  say "$n products, PostgreSQL, data cache off, $connections connections (ratio = Shop req/s / raw Npgsql req/s)"
  printf '  %-10s %9s %9s %8s %9s   %9s %9s %8s %9s  %6s\n' "" "Shop r/s" "p99" "CPU us" "timeouts" "raw r/s" "p99" "CPU us" "timeouts" "ratio"
  for row in detail list search; do
    printf '  %-10s %9s %9s %8s %9s   %9s %9s %8s %9s  x%.2f\n' "$row" "${rps[$row]}" "${p99[$row]}" "${cpu[$row]}" "$(timeouts "$row")" \
      "${rps[raw-$row]}" "${p99[raw-$row]}" "${cpu[raw-$row]}" "$(timeouts "raw-$row")" "$(echo "${rps[$row]} / ${rps[raw-$row]}" | bc -l)"
    p99s[$row-$n]=$(ms "${p99[$row]}")
  done
  echo "  API resident memory after the load: $rss MB"

  # The plans of exactly what Shop sends (the baseline sends the same SQL): a detail, a list page (page 5),
  # a broad and a narrow search.
  [ "${SHOP_BENCH_PLANS:-1}" = 1 ] && print_plans "$(sed -n 1p "$work/detail")" "$(sed -n 5p "$work/list")" \
    "$(grep -m1 'q=oak' "$work/search")" "$(grep -m1 'q=wool' "$work/search")"
  kill "$api" "$baseline"; wait "$api" "$baseline" 2>/dev/null || true
done

first=${sizes%% *}; last=${sizes##* }
if [ "$first" != "$last" ]; then
  say "cost against catalog size: p99 at $last products / p99 at $first (goal <= 2)"
  for row in list search; do
    printf '  %-8s %8s ms / %8s ms  x%.2f\n' "$row" "${p99s[$row-$last]}" "${p99s[$row-$first]}" "$(echo "${p99s[$row-$last]} / ${p99s[$row-$first]}" | bc -l)"
  done
fi
