using JasperFx;
using Prometheus;
using Shop.Core.Caching;
using Shop.Core.Data;
using Shop.Core.Messaging;
using Shop.Core.Notifications;
using Shop.Core.Orders;
using Shop.Core.Payments;
using Wolverine;

// The background host: the same handlers and recurring jobs as the API runs with
// Workers:Enabled=true, without HTTP. Run as many as the load needs; with PostgreSQL and
// RabbitMQ each message is handled once and each job occurrence runs once across all of them.
var builder = Host.CreateApplicationBuilder(args);

builder.Logging.AddJsonConsole(o => o.UseUtcTimestamp = true);

// Metrics (the shop's counters and Wolverine's) on their own port: Metrics:Port, 0 for none.
builder.Services.AddShopMetrics();
if (builder.Configuration.GetValue("Metrics:Port", 9464) is > 0 and var metricsPort)
{
    builder.Services.AddMetricServer(o => o.Port = (ushort)metricsPort);
}

// The shop's database (migrated at start-up, like the API does), and the cache whose entries its
// writes evict on every API process (through Redis when configured).
builder.Services.AddShopDatabase(builder.Configuration);
builder.Services.AddShopCaching(builder.Configuration);

// What the handlers use: orders, payments with their provider, email.
builder.Services.AddShopOrders(builder.Configuration);
builder.Services.AddShopPayments(builder.Configuration);
builder.Services.AddShopNotifications(builder.Configuration);

// Wolverine, configured exactly as in the API.
builder.UseWolverine(opts => ShopMessaging.Configure(opts, builder.Configuration));

var host = builder.Build();
return await host.RunJasperFxCommands(args);
