using Shop.Api.Endpoints;
using Shop.Api.Infrastructure;
using Shop.Core.Caching;
using Shop.Core.Catalog;
using Shop.Core.Common;
using Shop.Core.Data;
using Shop.Core.Messaging;
using Shop.Core.Notifications;
using Shop.Core.Orders;
using Shop.Core.Payments;
using Shop.Core.Pricing;
using Shop.Core.Users;
using Wolverine;

// The container's health probe: a GET and an exit code, before anything else is set up.
if (args is ["probe", var url])
{
    return await HealthProbe.RunAsync(url);
}

// First, before the code it speeds up: later starts compile what this one needed on another core.
StartupJit.Profile(args);

var builder = WebApplication.CreateBuilder(args);

// Structured JSON logs with trace ids, health checks, metrics.
builder.AddShopObservability();

// SIGTERM ends the process within shutdownTimeoutSeconds (5 s) and a 2 s grace, whatever a service does.
builder.Services.AddShopBoundedShutdown(builder.Configuration);

// The shop's database: SQLite (default) or PostgreSQL, migrated at start-up.
builder.Services.AddShopDatabase(builder.Configuration);

// FusionCache in memory; with ConnectionStrings:Redis also Redis, shared by every instance.
builder.Services.AddShopCaching(builder.Configuration);

// Accounts, tokens and request validation.
builder.Services.AddShopValidation();
builder.Services.AddShopUsers(builder.Configuration);
builder.Services.AddShopAuthentication();

// Catalog: categories, products, inventory (and the demo catalog when Seed:DemoData is set).
builder.Services.AddShopCatalog(builder.Configuration);

// Orders: checkout with stock reservation, Idempotency-Key, the order lifecycle.
builder.Services.AddShopOrders(builder.Configuration);

// Pricing (discount codes, shipping methods, tax rates: one engine) and carts.
builder.Services.AddShopPricing(builder.Configuration);

// Payments and email, and the background work around them: Wolverine with the EF Core outbox,
// durable local queues or RabbitMQ, and the recurring jobs (when Workers:Enabled).
builder.Services.AddShopPayments(builder.Configuration);
builder.Services.AddShopNotifications(builder.Configuration);
builder.UseWolverine(opts => ShopMessaging.Configure(opts, builder.Configuration));

// The HTTP edge: problem details, JSON rules, body limit, CORS, rate limits, OpenAPI.
builder.Services.AddShopProblemDetails();
builder.AddShopHttpEdge();
builder.Services.AddShopOpenApi();

var app = builder.Build();

app.UseShopMetrics();
app.UseShopErrorHandling();
app.UseShopSecurityHeaders();
app.UseShopHttpCaching();
app.UseCors();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();

app.MapShopOperations();
app.MapShopOpenApi();

// Every operation under /api/v1 declares the problem responses it can give (see ProblemResponses).
var api = app.MapGroup(Links.ApiBase).WithProblemResponses();
api.MapAuthEndpoints();
api.MapUserEndpoints();
api.MapCatalogEndpoints();
api.MapOrderEndpoints();
api.MapPaymentEndpoints();
api.MapCartEndpoints();
api.MapPricingEndpoints();

app.LogDocsUrlOnStart();

// Runs the API, or a maintenance command such as "codegen write" (scripts/codegen.sh).
return await app.RunOrCommandAsync(args);

public partial class Program;
