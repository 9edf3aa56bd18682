using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shop.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ProductsSortIndexesCovering : Migration
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

            migrationBuilder.CreateIndex(
                name: "ix_products_is_active_created_at",
                table: "products",
                columns: new[] { "is_active", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_products_is_active_price_minor",
                table: "products",
                columns: new[] { "is_active", "price_minor" });

            migrationBuilder.CreateIndex(
                name: "ix_products_is_active_sort_name",
                table: "products",
                columns: new[] { "is_active", "sort_name" });
        }
    }
}
