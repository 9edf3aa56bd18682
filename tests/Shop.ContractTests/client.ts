// A storefront's use of the typed client generated from docs/openapi/v1.json. It is only compiled
// (tsc --noEmit): if the document loses an operation, a field or a response, this stops compiling.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/shop-api";

type Order = components["schemas"]["OrderResponse"];
type Problem = components["schemas"]["ProblemDetails"];
type ValidationProblem = components["schemas"]["HttpValidationProblemDetails"];

const shop = createClient<paths>({ baseUrl: "http://localhost:5080" });

export async function buyTheCheapestHeadphones(email: string, password: string): Promise<Order | Problem | ValidationProblem> {
  const registered = await shop.POST("/api/v1/auth/register", { body: { email, password, fullName: "Ann Example" } });
  if (registered.error) return registered.error;

  const login = await shop.POST("/api/v1/auth/login", { body: { email, password } });
  if (login.error) return login.error;
  const headers = { Authorization: `Bearer ${login.data.accessToken}` };

  const page = await shop.GET("/api/v1/products", { params: { query: { q: "headphones", sort: "price", page: 1, pageSize: 5, inStock: true } } });
  if (page.error) return page.error;
  const product = page.data.items[0];
  if (!product) throw new Error(`no headphones among ${page.data.totalCount} products`);

  const placed = await shop.POST("/api/v1/orders", {
    headers,
    params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    body: {
      items: [{ productId: product.id, quantity: 1 }],
      shippingAddress: { fullName: "Ann Example", line1: "1 Main Street", city: "Springfield", postalCode: "62701", country: "US" },
    },
  });
  if (placed.error) return placed.error;
  const order: Order = placed.data;
  const lineTotals: number = order.items.reduce((sum, line) => sum + line.lineTotal, 0);
  if (lineTotals !== order.subtotal) throw new Error(`order ${order.number}: lines do not add up`);

  const payment = await shop.POST("/api/v1/payments", {
    headers,
    params: { header: { "Idempotency-Key": `pay-${order.id}` } },
    body: { orderId: order.id, paymentToken: "tok_visa" },
  });
  if (payment.error) return payment.error;
  const status: string = payment.data.status;

  const tracking = await shop.GET("/api/v1/orders/{id}/tracking", { params: { path: { id: order.id } }, headers });
  if (tracking.error) return tracking.error;
  console.log(order.number, status, tracking.data.status, tracking.data.statusHistory.length);
  return order;
}
