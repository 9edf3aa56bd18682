using JasperFx;
using Prometheus;
using Shop.Core.Caching;
using Shop.Core.Catalog;
using Shop.Core.Common;
using Shop.Core.Data;
using Shop.Core.Messaging;
using Shop.Core.Notifications;
using Shop.Core.Orders;
using Shop.Core.Payments;
using Shop.Core.Pricing;
using Shop.Worker;
using Wolverine;

// First, the container's health probe: a GET and an exit code, before anything else is set up.
if (args is ["probe", var url])
{
    return await HealthProbe.RunAsync(url);
}

// The background host: the same handlers and recurring jobs as the API runs with
// Workers:Enabled=true. Run as many as the load needs; with PostgreSQL and RabbitMQ each message
// is handled once and each job occurrence runs once across all of them.
var builder = WebApplication.CreateBuilder(args);

// JSON logs with trace and span ids; traces (OTLP) and error reports (Sentry) when configured, as in the API.
builder.AddShopTelemetry("shop-worker");

// SIGTERM ends the process within shutdownTimeoutSeconds (5 s) and a 2 s grace, whatever a service does.
builder.Services.AddShopBoundedShutdown(builder.Configuration);

// Its only HTTP, for orchestrators and Prometheus: /health/live, /health/ready and /metrics (the
// shop's counters and Wolverine's) on Metrics:Port (9464 by default; 0 for none).
builder.Services.AddShopMetrics();
builder.Services.AddShopHealthChecks(builder.Configuration);
builder.WebHost.UseManagementPort(builder.Configuration.GetValue("Metrics:Port", 9464));

// The shop's database (migrated at start-up, like the API does), and the cache whose entries its
// writes evict on every API process (through Redis when configured).
builder.Services.AddShopDatabase(builder.Configuration);
builder.Services.AddShopCaching(builder.Configuration);

// What the handlers use: orders (priced from the catalog), payments with their provider, email.
builder.Services.AddShopCatalog(builder.Configuration);
builder.Services.AddShopOrders(builder.Configuration);
builder.Services.AddShopPricing(builder.Configuration);
builder.Services.AddShopPayments(builder.Configuration);
builder.Services.AddShopNotifications(builder.Configuration);

// Wolverine, configured exactly as in the API.
builder.UseWolverine(opts => ShopMessaging.Configure(opts, builder.Configuration));

var app = builder.Build();
app.MapShopHealth();
app.MapMetrics("/metrics").WithMetadata(Health.ReadOnly);
return await app.RunJasperFxCommands(args);
