using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shop.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class CartsAndPricing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_orders_total_positive",
                table: "orders");

            migrationBuilder.AddColumn<string>(
                name: "discount_code",
                table: "orders",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "discount_id",
                table: "orders",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "discount_total_minor",
                table: "orders",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "email",
                table: "orders",
                type: "character varying(254)",
                maxLength: 254,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "shipping_method_id",
                table: "orders",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "shipping_method_name",
                table: "orders",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "shipping_tax_minor",
                table: "orders",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "shipping_total_minor",
                table: "orders",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "tax_total_minor",
                table: "orders",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "discount_minor",
                table: "order_lines",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "tax_minor",
                table: "order_lines",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // Orders placed before carts and pricing: their emails went to the customer's address.
            migrationBuilder.Sql("UPDATE orders SET email = (SELECT u.email FROM users u WHERE u.id = orders.user_id) WHERE email IS NULL;");

            migrationBuilder.CreateTable(
                name: "carts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true),
                    shipping_address_full_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    shipping_address_line1 = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    shipping_address_line2 = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    shipping_address_city = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    shipping_address_region = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    shipping_address_postal_code = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    shipping_address_country = table.Column<string>(type: "character(2)", fixedLength: true, maxLength: 2, nullable: true),
                    shipping_method_id = table.Column<Guid>(type: "uuid", nullable: true),
                    discount_code = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    order_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_carts", x => x.id);
                    table.ForeignKey(
                        name: "fk_carts_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "discounts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    code = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    normalized_code = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    value_hundredths = table.Column<long>(type: "bigint", nullable: false),
                    min_subtotal_minor = table.Column<long>(type: "bigint", nullable: true),
                    starts_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ends_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    usage_limit = table.Column<int>(type: "integer", nullable: true),
                    usage_count = table.Column<int>(type: "integer", nullable: false),
                    once_per_customer = table.Column<bool>(type: "boolean", nullable: false),
                    product_ids = table.Column<string>(type: "text", nullable: false, defaultValueSql: "'[]'"),
                    category_ids = table.Column<string>(type: "text", nullable: false, defaultValueSql: "'[]'"),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_discounts", x => x.id);
                    table.CheckConstraint("ck_discounts_usage", "usage_count >= 0 AND (usage_limit IS NULL OR usage_count <= usage_limit)");
                });

            migrationBuilder.CreateTable(
                name: "shipping_methods",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    price_minor = table.Column<long>(type: "bigint", nullable: false),
                    countries = table.Column<string>(type: "text", nullable: false, defaultValueSql: "'[]'"),
                    free_above_subtotal_minor = table.Column<long>(type: "bigint", nullable: true),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shipping_methods", x => x.id);
                    table.CheckConstraint("ck_shipping_methods_price", "price_minor >= 0");
                });

            migrationBuilder.CreateTable(
                name: "tax_rates",
                columns: table => new
                {
                    country = table.Column<string>(type: "character(2)", fixedLength: true, maxLength: 2, nullable: false),
                    rate = table.Column<decimal>(type: "numeric(7,6)", precision: 7, scale: 6, nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    applies_to_shipping = table.Column<bool>(type: "boolean", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tax_rates", x => x.country);
                    table.CheckConstraint("ck_tax_rates_rate", "rate >= 0 AND rate <= 1");
                });

            migrationBuilder.CreateTable(
                name: "cart_lines",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    cart_id = table.Column<Guid>(type: "uuid", nullable: false),
                    variant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    quantity = table.Column<int>(type: "integer", nullable: false),
                    added_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cart_lines", x => x.id);
                    table.CheckConstraint("ck_cart_lines_quantity", "quantity > 0");
                    table.ForeignKey(
                        name: "fk_cart_lines_carts_cart_id",
                        column: x => x.cart_id,
                        principalTable: "carts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_cart_lines_variants_variant_id",
                        column: x => x.variant_id,
                        principalTable: "product_variants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "discount_redemptions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    discount_id = table.Column<Guid>(type: "uuid", nullable: false),
                    order_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    once_per_customer = table.Column<bool>(type: "boolean", nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_discount_redemptions", x => x.id);
                    table.ForeignKey(
                        name: "fk_discount_redemptions_discounts_discount_id",
                        column: x => x.discount_id,
                        principalTable: "discounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_discount_redemptions_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_discount_redemptions_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_orders_discount_id",
                table: "orders",
                column: "discount_id");

            migrationBuilder.AddCheckConstraint(
                name: "ck_orders_total_positive",
                table: "orders",
                sql: "total_minor >= 0 AND subtotal_minor > 0");

            migrationBuilder.AddCheckConstraint(
                name: "ck_orders_total_sum",
                table: "orders",
                sql: "total_minor = subtotal_minor - discount_total_minor + shipping_total_minor + tax_total_minor");

            migrationBuilder.CreateIndex(
                name: "ix_cart_lines_cart_id_variant_id",
                table: "cart_lines",
                columns: new[] { "cart_id", "variant_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_cart_lines_variant_id",
                table: "cart_lines",
                column: "variant_id");

            migrationBuilder.CreateIndex(
                name: "ix_carts_order_id",
                table: "carts",
                column: "order_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_carts_updated_at",
                table: "carts",
                column: "updated_at");

            migrationBuilder.CreateIndex(
                name: "ix_carts_user_id",
                table: "carts",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_discount_redemptions_order_id",
                table: "discount_redemptions",
                column: "order_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_discount_redemptions_user_id",
                table: "discount_redemptions",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ux_discount_redemptions_once_per_customer",
                table: "discount_redemptions",
                columns: new[] { "discount_id", "user_id" },
                unique: true,
                filter: "once_per_customer");

            migrationBuilder.CreateIndex(
                name: "ix_discounts_created_at",
                table: "discounts",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_discounts_normalized_code",
                table: "discounts",
                column: "normalized_code",
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "fk_orders_discounts_discount_id",
                table: "orders",
                column: "discount_id",
                principalTable: "discounts",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_orders_discounts_discount_id",
                table: "orders");

            migrationBuilder.DropTable(
                name: "cart_lines");

            migrationBuilder.DropTable(
                name: "discount_redemptions");

            migrationBuilder.DropTable(
                name: "shipping_methods");

            migrationBuilder.DropTable(
                name: "tax_rates");

            migrationBuilder.DropTable(
                name: "carts");

            migrationBuilder.DropTable(
                name: "discounts");

            migrationBuilder.DropIndex(
                name: "ix_orders_discount_id",
                table: "orders");

            migrationBuilder.DropCheckConstraint(
                name: "ck_orders_total_positive",
                table: "orders");

            migrationBuilder.DropCheckConstraint(
                name: "ck_orders_total_sum",
                table: "orders");

            migrationBuilder.DropColumn(
                name: "discount_code",
                table: "orders");

            migrationBuilder.DropColumn(
                name: "discount_id",
                table: "orders");

            migrationBuilder.DropColumn(
                name: "discount_total_minor",
                table: "orders");

            migrationBuilder.DropColumn(
                name: "email",
                table: "orders");

            migrationBuilder.DropColumn(
                name: "shipping_method_id",
                table: "orders");

            migrationBuilder.DropColumn(
                name: "shipping_method_name",
                table: "orders");

            migrationBuilder.DropColumn(
                name: "shipping_tax_minor",
                table: "orders");

            migrationBuilder.DropColumn(
                name: "shipping_total_minor",
                table: "orders");

            migrationBuilder.DropColumn(
                name: "tax_total_minor",
                table: "orders");

            migrationBuilder.DropColumn(
                name: "discount_minor",
                table: "order_lines");

            migrationBuilder.DropColumn(
                name: "tax_minor",
                table: "order_lines");

            migrationBuilder.AddCheckConstraint(
                name: "ck_orders_total_positive",
                table: "orders",
                sql: "total_minor > 0 AND subtotal_minor > 0");
        }
    }
}
