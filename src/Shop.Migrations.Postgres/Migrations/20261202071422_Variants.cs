using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shop.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Variants : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_inventory",
                table: "inventory");

            migrationBuilder.AddColumn<string>(
                name: "options",
                table: "products",
                type: "text",
                nullable: false,
                defaultValueSql: "'[]'");

            migrationBuilder.AddColumn<string>(
                name: "option_values",
                table: "order_lines",
                type: "text",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<Guid>(
                name: "variant_id",
                table: "order_lines",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<Guid>(
                name: "variant_id",
                table: "inventory_adjustments",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<Guid>(
                name: "variant_id",
                table: "inventory",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.CreateTable(
                name: "product_variants",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    product_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sku = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    option_values = table.Column<string>(type: "text", nullable: false),
                    option_key = table.Column<string>(type: "character varying(456)", maxLength: 456, nullable: false),
                    price_minor = table.Column<long>(type: "bigint", nullable: false),
                    currency = table.Column<string>(type: "character(3)", fixedLength: true, maxLength: 3, nullable: false),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_product_variants", x => x.id);
                    table.CheckConstraint("ck_product_variants_price_positive", "price_minor > 0");
                    table.ForeignKey(
                        name: "fk_product_variants_products_product_id",
                        column: x => x.product_id,
                        principalTable: "products",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "variant_option_values",
                columns: table => new
                {
                    variant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    product_id = table.Column<Guid>(type: "uuid", nullable: false),
                    value = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_variant_option_values", x => new { x.variant_id, x.name });
                    table.ForeignKey(
                        name: "fk_variant_option_values_product_variants_variant_id",
                        column: x => x.variant_id,
                        principalTable: "product_variants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_variant_option_values_products_product_id",
                        column: x => x.product_id,
                        principalTable: "products",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Every product becomes a product with one variant: the default variant has the product's
            // id, sku, price and currency and no option values, so its stock row, stock history and
            // order lines only need the variant id that equals the product id they already hold.
            migrationBuilder.Sql("""
                INSERT INTO product_variants (id, product_id, sku, option_values, option_key, price_minor, currency, is_active, position, created_at, updated_at)
                SELECT id, id, sku, '{}', '', price_minor, currency, TRUE, 0, created_at, updated_at FROM products;
                """);
            migrationBuilder.Sql("UPDATE inventory SET variant_id = product_id;");
            migrationBuilder.Sql("UPDATE inventory_adjustments SET variant_id = product_id;");
            migrationBuilder.Sql("UPDATE order_lines SET variant_id = product_id;");

            migrationBuilder.AddPrimaryKey(
                name: "pk_inventory",
                table: "inventory",
                column: "variant_id");

            migrationBuilder.CreateIndex(
                name: "ix_order_lines_variant_id",
                table: "order_lines",
                column: "variant_id");

            migrationBuilder.CreateIndex(
                name: "ix_inventory_adjustments_variant_id_created_at",
                table: "inventory_adjustments",
                columns: new[] { "variant_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_inventory_product_id",
                table: "inventory",
                column: "product_id");

            migrationBuilder.CreateIndex(
                name: "ix_product_variants_product_id_is_active_price_minor",
                table: "product_variants",
                columns: new[] { "product_id", "is_active", "price_minor" });

            migrationBuilder.CreateIndex(
                name: "ix_product_variants_product_id_option_key",
                table: "product_variants",
                columns: new[] { "product_id", "option_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_product_variants_sku",
                table: "product_variants",
                column: "sku",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_variant_option_values_name_value_product_id",
                table: "variant_option_values",
                columns: new[] { "name", "value", "product_id" });

            migrationBuilder.CreateIndex(
                name: "ix_variant_option_values_product_id",
                table: "variant_option_values",
                column: "product_id");

            migrationBuilder.AddForeignKey(
                name: "fk_inventory_product_variants_variant_id",
                table: "inventory",
                column: "variant_id",
                principalTable: "product_variants",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "fk_inventory_adjustments_variants_variant_id",
                table: "inventory_adjustments",
                column: "variant_id",
                principalTable: "product_variants",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "fk_order_lines_variants_variant_id",
                table: "order_lines",
                column: "variant_id",
                principalTable: "product_variants",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_inventory_product_variants_variant_id",
                table: "inventory");

            migrationBuilder.DropForeignKey(
                name: "fk_inventory_adjustments_variants_variant_id",
                table: "inventory_adjustments");

            migrationBuilder.DropForeignKey(
                name: "fk_order_lines_variants_variant_id",
                table: "order_lines");

            migrationBuilder.DropTable(
                name: "variant_option_values");

            migrationBuilder.DropTable(
                name: "product_variants");

            migrationBuilder.DropIndex(
                name: "ix_order_lines_variant_id",
                table: "order_lines");

            migrationBuilder.DropIndex(
                name: "ix_inventory_adjustments_variant_id_created_at",
                table: "inventory_adjustments");

            migrationBuilder.DropPrimaryKey(
                name: "pk_inventory",
                table: "inventory");

            migrationBuilder.DropIndex(
                name: "ix_inventory_product_id",
                table: "inventory");

            migrationBuilder.DropColumn(
                name: "options",
                table: "products");

            migrationBuilder.DropColumn(
                name: "option_values",
                table: "order_lines");

            migrationBuilder.DropColumn(
                name: "variant_id",
                table: "order_lines");

            migrationBuilder.DropColumn(
                name: "variant_id",
                table: "inventory_adjustments");

            migrationBuilder.DropColumn(
                name: "variant_id",
                table: "inventory");

            migrationBuilder.AddPrimaryKey(
                name: "pk_inventory",
                table: "inventory",
                column: "product_id");
        }
    }
}
