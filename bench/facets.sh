#!/usr/bin/env bash
# GET /products/facets against GET /products with the same filters, uncached (Catalog:CacheReads=false),
# on PostgreSQL with 100,000 seeded products (SHOP_BENCH_PRODUCTS), a third of them with a Size option
# (set here with SQL after the seed command: the bulk seeder makes simple products), wrk in one run.
# Issue 17's goal: facets over 100,000 products in the same order of time as a list page.
#   bash bench/facets.sh [seconds=10] [connections=8]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/services.sh
. bench/lib/api.sh
seconds=${1:-10}; connections=${2:-8}; warmup=${SHOP_BENCH_WARMUP:-10}; n=${SHOP_BENCH_PRODUCTS:-100000}
bench_init shop_facets_bench -c shared_buffers=512MB -c max_connections=300

say "seeding $n products, then a Size option on a third of them"
env "${settings[@]}" dotnet src/Shop.Api/bin/Release/net10.0/Shop.Api.dll seed --products "$n" | tail -1
psql_run -d "$db" <<'SQL' >/dev/null
UPDATE products SET options = '[{"name":"Size","values":["S","M","L"]}]'
  WHERE ('x' || substr(md5(id::text), 1, 4))::bit(16)::int % 3 = 0;
INSERT INTO variant_option_values (variant_id, product_id, name, value)
  SELECT v.id, v.product_id, 'Size', (ARRAY['S', 'M', 'L'])[1 + ('x' || substr(md5(v.id::text), 5, 4))::bit(16)::int % 3]
  FROM product_variants v JOIN products p ON p.id = v.product_id WHERE p.options <> '[]';
UPDATE product_variants v SET option_values = json_build_object('Size', o.value)::text, option_key = 'Size=' || o.value
  FROM variant_option_values o WHERE o.variant_id = v.id;
VACUUM ANALYZE;
SQL
start_api api.log

# Three filters, each as a list page and as facets: everything; a department's subtree and a price
# range; an option value.
department=$(psql_run -d "$db" -c "SELECT id FROM categories WHERE parent_id IS NULL ORDER BY slug LIMIT 1")
filters=("inStock=true" "categoryId=$department&minPrice=20&maxPrice=300" "option=Size:M")
: >"$work/list"; : >"$work/facets"
for f in "${filters[@]}"; do
  echo "/api/v1/products?$f&sort=price" >>"$work/list"
  echo "/api/v1/products/facets?$f" >>"$work/facets"
done

# Same products on both sides.
while read -r list && read -r facets <&3; do
  a=$(curl -s "http://127.0.0.1:$api_port$list" | sed 's/.*"totalCount":\([0-9]*\).*/\1/')
  b=$(curl -s "http://127.0.0.1:$api_port$facets" | sed 's/.*"totalCount":\([0-9]*\).*/\1/')
  [ "$a" = "$b" ] || { echo "ERROR: $facets counts $b products, the list $a" >&2; exit 1; }
  echo "  $facets: $b products"
done <"$work/list" 3<"$work/facets"

# Plans: each request once through an API whose PostgreSQL sessions log every statement they run
# with its plan, time and buffers (auto_explain: EXPLAIN (ANALYZE, BUFFERS) of exactly the SQL EF
# sends, parameters included), printed per request: the time of each catalog statement, then their plans.
if [ "${SHOP_BENCH_PLANS:-1}" = 1 ]; then
  print_plans $(paste -d'\n' "$work/list" "$work/facets")
fi

say "$n products: wrk, 2 threads, $connections connections, ${seconds}s each after a warm-up"
postmaster=$(head -1 "$pg_data/postmaster.pid")
read -r list_rps list_p99 list_cpu list_db < <(run list "$api_port" list "$api" "$postmaster")
read -r facets_rps facets_p99 facets_cpu facets_db < <(run facets "$api_port" facets "$api" "$postmaster")
grep -H "Non-2xx" "$work"/*.wrk && { echo "ERROR: errors under load" >&2; tail -c 3000 "$work/api.log" >&2; exit 1; } || true
printf '  %-8s %9s %9s %12s %12s\n' "" "req/s" "p99" "API CPU us" "DB CPU us"
printf '  %-8s %9s %9s %12s %12s\n' list "$list_rps" "$list_p99" "$list_cpu" "$list_db" facets "$facets_rps" "$facets_p99" "$facets_cpu" "$facets_db"
printf '  facets / list: time per request x%.2f, CPU per request x%.2f (API) x%.2f (PostgreSQL)\n' \
  "$(echo "$list_rps / $facets_rps" | bc -l)" "$(echo "$facets_cpu / $list_cpu" | bc -l)" "$(echo "$facets_db / $list_db" | bc -l)"
kill "$api"; wait "$api" 2>/dev/null || true
