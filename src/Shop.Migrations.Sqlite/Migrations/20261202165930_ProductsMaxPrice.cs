using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shop.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ProductsMaxPrice : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "max_price_minor",
                table: "products",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Each product's highest active variant price (its highest variant's while none is active), as
            // ProductService.Reprice keeps it from now on.
            // One pass over the variants, grouped (a million products: seconds, not a subquery per row).
            migrationBuilder.Sql("""
                UPDATE products SET max_price_minor = coalesce(r.active_max, r.any_max)
                FROM (SELECT product_id, max(price_minor) FILTER (WHERE is_active) AS active_max, max(price_minor) AS any_max
                      FROM product_variants GROUP BY product_id) AS r
                WHERE r.product_id = products.id;
                """);
            migrationBuilder.Sql("UPDATE products SET max_price_minor = price_minor WHERE max_price_minor = 0;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "max_price_minor",
                table: "products");
        }
    }
}
