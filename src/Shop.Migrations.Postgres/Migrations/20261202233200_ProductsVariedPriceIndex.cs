using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shop.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ProductsVariedPriceIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_products_varied_prices",
                table: "products",
                columns: new[] { "is_active", "price_minor" },
                filter: "price_minor < max_price_minor")
                .Annotation("Npgsql:IndexInclude", new[] { "id", "category_id", "max_price_minor" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_products_varied_prices",
                table: "products");
        }
    }
}
