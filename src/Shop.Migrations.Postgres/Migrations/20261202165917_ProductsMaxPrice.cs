using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shop.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ProductsMaxPrice : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_products_is_active_created_at",
                table: "products");

            migrationBuilder.DropIndex(
                name: "ix_products_is_active_price_minor",
                table: "products");

            migrationBuilder.DropIndex(
                name: "ix_products_is_active_sort_name",
                table: "products");

            migrationBuilder.AddColumn<long>(
                name: "max_price_minor",
                table: "products",
                type: "bigint",
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

            migrationBuilder.CreateIndex(
                name: "ix_products_is_active_created_at",
                table: "products",
                columns: new[] { "is_active", "created_at" })
                .Annotation("Npgsql:IndexInclude", new[] { "id", "category_id", "price_minor", "max_price_minor" });

            migrationBuilder.CreateIndex(
                name: "ix_products_is_active_price_minor",
                table: "products",
                columns: new[] { "is_active", "price_minor" })
                .Annotation("Npgsql:IndexInclude", new[] { "id", "category_id", "max_price_minor" });

            migrationBuilder.CreateIndex(
                name: "ix_products_is_active_sort_name",
                table: "products",
                columns: new[] { "is_active", "sort_name" })
                .Annotation("Npgsql:IndexInclude", new[] { "id", "category_id", "price_minor", "max_price_minor" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_products_is_active_created_at",
                table: "products");

            migrationBuilder.DropIndex(
                name: "ix_products_is_active_price_minor",
                table: "products");

            migrationBuilder.DropIndex(
                name: "ix_products_is_active_sort_name",
                table: "products");

            migrationBuilder.DropColumn(
                name: "max_price_minor",
                table: "products");

            migrationBuilder.CreateIndex(
                name: "ix_products_is_active_created_at",
                table: "products",
                columns: new[] { "is_active", "created_at" })
                .Annotation("Npgsql:IndexInclude", new[] { "id", "category_id" });

            migrationBuilder.CreateIndex(
                name: "ix_products_is_active_price_minor",
                table: "products",
                columns: new[] { "is_active", "price_minor" })
                .Annotation("Npgsql:IndexInclude", new[] { "id", "category_id" });

            migrationBuilder.CreateIndex(
                name: "ix_products_is_active_sort_name",
                table: "products",
                columns: new[] { "is_active", "sort_name" })
                .Annotation("Npgsql:IndexInclude", new[] { "id", "category_id" });
        }
    }
}
