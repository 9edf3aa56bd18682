#!/usr/bin/env bash
# Catalog reads with the cache, on PostgreSQL + Redis, 10,000 products, 32 connections (wrk), Release:
#   product detail (anonymous, 1,000 different products in turn)  next to  a bare ASP.NET Core app's
#     static product JSON (bench/Shop.Baseline /static);
#   a filtered, sorted list page (category subtree, price range, sort=price, pages 1-5 of 5 departments)
#     next to  the same page and total straight from PostgreSQL with raw Npgsql (Shop.Baseline /page).
# All in one run on this machine's cores (wrk, the apps, PostgreSQL and Redis share them): the ratios
# are the figures to compare. Also reports the cache hit ratio (shop_catalog_cache_lookups_total) and
# the API's resident memory after the load.
# Each server is warmed up first, so that what is measured is the steady state a long-running server is in:
# the bare app for SHOP_BENCH_WARMUP seconds (20 by default); the API, which has far more code to compile
# (on 2 cores its tiered JIT still took 15% of the CPU 35 s after start-up), in rounds of 10 s until its
# JIT compiled for less than 1% of a core during a round (system_runtime_dotnet_jit_compilation_time on
# /metrics), 120 s at most.
#   bash bench/cache.sh [seconds=15] [connections=32]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/services.sh
. bench/lib/api.sh
seconds=${1:-15}; connections=${2:-32}; n=10000; warmup=${SHOP_BENCH_WARMUP:-20}
bench_init shop_cache_bench -c shared_buffers=256MB -c max_connections=300
start_redis
say "building the baseline (Release)"
dotnet build bench/Shop.Baseline -c Release -v q -nologo >/dev/null
start_api api.log Catalog__CacheReads=true ConnectionStrings__Redis="$SHOP_TEST_REDIS"

# The API has migrated the schema at start-up; the catalog is generated before anything reads it.
say "generating $n products"
psql_run -d "$db" -v n="$n" -f bench/lib/catalog-data.sql
start_baseline baseline.log

# The requests each side sends in turn (wrk reads them from $PATHS, bench/lib/paths.lua).
psql_run -d "$db" -c "SELECT '/api/v1/products/' || id FROM products ORDER BY sku LIMIT 1000" >"$work/detail"
psql_run -d "$db" -c "SELECT id FROM categories WHERE parent_id IS NULL ORDER BY slug" >"$work/departments"
: >"$work/shop-pages"; : >"$work/raw-pages"
while read -r department; do
  for page in 1 2 3 4 5; do
    echo "/api/v1/products?categoryId=$department&minPrice=20&maxPrice=300&sort=price&page=$page" >>"$work/shop-pages"
    echo "/page?categoryId=$department&minPrice=20&maxPrice=300&page=$page" >>"$work/raw-pages"
  done
done <"$work/departments"
echo "/static" >"$work/static"

# Same answers from both sides (the first page of the first department).
shop_total=$(curl -s "http://127.0.0.1:$api_port$(head -1 "$work/shop-pages")" | sed 's/.*"totalCount":\([0-9]*\).*/\1/')
raw_total=$(curl -s "http://127.0.0.1:$base_port$(head -1 "$work/raw-pages")" | sed 's/.*"totalCount":\([0-9]*\).*/\1/')
[ "$shop_total" = "$raw_total" ] || { echo "ERROR: the list pages disagree: Shop $shop_total products, raw $raw_total" >&2; exit 1; }

lookups() { curl -s "http://127.0.0.1:$api_port/metrics" | awk -v r="$1" '$1 ~ "^shop_catalog_cache_lookups_total" && $1 ~ "result=\"" r "\"" { s += $2 } END { print s + 0 }'; }

say "wrk: 2 threads, $connections connections, ${seconds}s each after a warm-up (the baseline ${warmup} s, the API until its JIT is done)"
hits0=$(lookups hit); misses0=$(lookups miss)
read -r static_rps static_p99 static_cpu < <(run static "$base_port" static "$baseline")
read -r detail_rps detail_p99 detail_cpu < <(run detail "$api_port" detail "$api")
read -r raw_rps raw_p99 raw_cpu < <(run raw "$base_port" raw-pages "$baseline")
read -r list_rps list_p99 list_cpu < <(run list "$api_port" shop-pages "$api")
hits=$(( $(lookups hit) - hits0 )); misses=$(( $(lookups miss) - misses0 ))
rss=$(awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$api/status")
grep -H "Non-2xx\|Socket errors\|^status " "$work"/*.wrk && { echo "ERROR: errors under load (above); the API's log ends:" >&2; tail -c 3000 "$work/api.log" >&2; exit 1; } || true

say "$n products, PostgreSQL + Redis, $connections connections (ratio = Shop req/s / baseline req/s)"
printf '  %-60s %10s %9s %12s\n' "" "req/s" "p99" "CPU us/req"
printf '  %-60s %10s %9s %12s\n' "baseline: static product JSON (bare ASP.NET Core)" "$static_rps" "$static_p99" "$static_cpu"
printf '  %-60s %10s %9s %12s  x%.2f\n' "GET /products/{id} (1,000 products in turn)" "$detail_rps" "$detail_p99" "$detail_cpu" "$(echo "$detail_rps / $static_rps" | bc -l)"
printf '  %-60s %10s %9s %12s\n' "baseline: raw Npgsql page of 20 + total" "$raw_rps" "$raw_p99" "$raw_cpu"
printf '  %-60s %10s %9s %12s  x%.2f\n' "GET /products?categoryId&minPrice&maxPrice&sort=price&page" "$list_rps" "$list_p99" "$list_cpu" "$(echo "$list_rps / $raw_rps" | bc -l)"
printf '  cache hit ratio under the load: %.4f (%d hits, %d misses); API resident memory after: %d MB\n' \
  "$(echo "$hits / ($hits + $misses)" | bc -l)" "$hits" "$misses" "$rss"
kill "$api" "$baseline"; wait "$api" "$baseline" 2>/dev/null || true
