#!/usr/bin/env bash
# Catalog search benchmark on PostgreSQL: a product-list request with a search term, a category
# filter and a price sort, on 10,000 and 100,000 products, warm. Reports the median and p95 of
# many requests next to GET /health/live measured in the same run (the ratio is the figure to
# compare between machines), and the query plan of the page query.
#   bash bench/catalog.sh [sizes...]      default sizes: 10000 100000
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/services.sh
services_init
require=1
sizes=("${@:-10000 100000}")
[ $# -eq 0 ] && sizes=(10000 100000)
requests=${BENCH_REQUESTS:-300}

start_postgres -c shared_buffers=256MB
say "building the API (Release)"
dotnet build src/Shop.Api -c Release -v q -nologo >/dev/null

median_p95() { sort -n | awk '{a[NR]=$1} END {printf "%.2f %.2f\n", a[int((NR+1)/2)]*1000, a[int(NR*0.95)]*1000}'; }

for n in "${sizes[@]}"; do
  db="shop_bench_$n"
  psql_run -c "CREATE DATABASE $db"
  port=$(free_port 5600)
  say "$n products: starting the API on :$port"
  env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port" \
    Jwt__SigningKey=benchmark-signing-key-0123456789abcdef0123456789 Logging__LogLevel__Default=Warning \
    RateLimiting__GlobalPerMinute=100000000 \
    Database__Provider=Postgres ConnectionStrings__Database="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$db" \
    dotnet src/Shop.Api/bin/Release/net10.0/Shop.Api.dll >"$work/api-$n.log" 2>&1 &
  api=$!; track_process "$api"
  until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; do sleep 0.2; done

  say "$n products: generating data"
  psql_run -d "$db" -v n="$n" -f bench/lib/catalog-data.sql
  category=$(psql_run -d "$db" -c "SELECT id FROM categories WHERE slug = 'dept-2'")
  ids=$(psql_run -d "$db" -c "WITH RECURSIVE t AS (SELECT id FROM categories WHERE id = '$category' UNION ALL SELECT c.id FROM categories c JOIN t ON c.parent_id = t.id) SELECT '{' || string_agg(id::text, ',') || '}' FROM t")
  list="http://127.0.0.1:$port/api/v1/products?q=oak&categoryId=$category&sort=price&pageSize=20"
  rare="http://127.0.0.1:$port/api/v1/products?q=bench-4242&categoryId=$category&sort=price&pageSize=20"
  health="http://127.0.0.1:$port/health/live"

  for _ in $(seq 1 50); do curl -s -o /dev/null "$list"; curl -s -o /dev/null "$rare"; curl -s -o /dev/null "$health"; done
  : >"$work/list" ; : >"$work/rare"; : >"$work/health"
  for _ in $(seq 1 "$requests"); do
    curl -s -o /dev/null -w '%{time_total}\n' "$health" >>"$work/health"
    curl -s -o /dev/null -w '%{time_total}\n' "$list" >>"$work/list"
    curl -s -o /dev/null -w '%{time_total}\n' "$rare" >>"$work/rare"
  done
  matches=$(curl -s "$list" | sed 's/.*"totalCount":\([0-9]*\).*/\1/')
  read -r hm hp < <(median_p95 <"$work/health")
  read -r lm lp < <(median_p95 <"$work/list")
  read -r rm rp < <(median_p95 <"$work/rare")
  say "$n products, $requests requests each (ms: median / p95; ratio = median / health median)"
  printf '  %-58s %7s / %7s\n' "GET /health/live (baseline)" "$hm" "$hp"
  printf '  %-58s %7s / %7s  x%.1f\n' "q=oak, department subtree, sort=price ($matches matches)" "$lm" "$lp" "$(echo "$lm / $hm" | bc -l)"
  printf '  %-58s %7s / %7s  x%.1f\n' "q=bench-4242 (rare), department subtree, sort=price" "$rm" "$rp" "$(echo "$rm / $hm" | bc -l)"

  explain() {
    psql_run -d "$db" -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) $1" | sed -E "s/'\{[^}]*\}'::uuid\[\]/<subtree ids>/"
  }
  where="p.is_active AND p.search_text LIKE '%TERM%' ESCAPE '\\' AND p.category_id IS NOT NULL AND p.category_id = ANY ('$ids'::uuid[])"
  for term in oak bench-4242; do
    say "$n products: plans as EF Core sends them (q=$term): page query, then count"
    explain "SELECT p.id FROM products AS p WHERE ${where//TERM/$term} ORDER BY p.price_minor, p.id LIMIT 20 OFFSET 0"
    explain "SELECT count(*)::int FROM products AS p WHERE ${where//TERM/$term}"
  done
  kill "$api"; wait "$api" 2>/dev/null || true
done
