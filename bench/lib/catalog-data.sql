-- A generated catalog for the benchmarks: 5 departments of 4 aisles of 3 shelves, :n products
-- spread over the shelves, with varied names, prices and stock.
--   psql -v n=10000 -f bench/lib/catalog-data.sql
INSERT INTO categories (id, name, slug, parent_id, created_at, updated_at)
  SELECT gen_random_uuid(), 'Department ' || r, 'dept-' || r, NULL, now(), now() FROM generate_series(1, 5) r;
INSERT INTO categories (id, name, slug, parent_id, created_at, updated_at)
  SELECT gen_random_uuid(), 'Aisle ' || p.slug || '-' || c, p.slug || '-aisle-' || c, p.id, now(), now()
  FROM categories p CROSS JOIN generate_series(1, 4) c WHERE p.parent_id IS NULL;
INSERT INTO categories (id, name, slug, parent_id, created_at, updated_at)
  SELECT gen_random_uuid(), 'Shelf ' || p.slug || '-' || g, p.slug || '-shelf-' || g, p.id, now(), now()
  FROM categories p CROSS JOIN generate_series(1, 3) g WHERE p.slug LIKE '%-aisle-%';
CREATE TEMP TABLE leaves AS SELECT id, row_number() OVER (ORDER BY slug) - 1 AS n FROM categories WHERE slug LIKE '%-shelf-%';
INSERT INTO products (id, sku, slug, name, description, price_minor, currency, category_id, image_urls, is_active, created_at, updated_at, version)
  SELECT gen_random_uuid(), 'BENCH-' || i, 'bench-' || i,
         (ARRAY['Classic','Compact','Deluxe','Eco','Heritage','Modern','Nordic','Premium','Rugged','Smart','Urban','Vintage'])[1 + (i * 7) % 12] || ' ' ||
         (ARRAY['Oak','Steel','Cotton','Bamboo','Carbon','Wool','Leather','Ceramic','Linen','Granite'])[1 + (i * 13) % 10] || ' ' ||
         (ARRAY['Chair','Lamp','Mug','Kettle','Jacket','Tent','Helmet','Mat','Knife','Table','Shelf','Pan'])[1 + (i * 17) % 12] || ' ' || i,
         'A dependable pick from the ' || (ARRAY['summer','winter','spring','autumn'])[1 + i % 4] || ' range.',
         100 + (i * 7919) % 50000, 'USD', l.id, ARRAY['https://images.example.com/bench/' || i || '.jpg'], true,
         now() - make_interval(mins => i), now(), 1
  FROM generate_series(1, :n) i JOIN leaves l ON l.n = i % (SELECT count(*) FROM leaves);
-- Each a simple product: one variant with the product's id, sku and price, which holds its stock.
INSERT INTO product_variants (id, product_id, sku, option_values, option_key, price_minor, currency, is_active, position, created_at, updated_at)
  SELECT id, id, sku, '{}', '', price_minor, currency, true, 0, created_at, updated_at FROM products WHERE sku LIKE 'BENCH-%';
INSERT INTO inventory (variant_id, product_id, on_hand, reserved, low_stock_threshold, updated_at)
  SELECT id, id, (abs(hashtext(sku)) % 60), 0, 5, now() FROM products WHERE sku LIKE 'BENCH-%';
VACUUM ANALYZE;
