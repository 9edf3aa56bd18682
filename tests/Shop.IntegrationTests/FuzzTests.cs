using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shop.Core.Payments;
using Shop.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Shop.IntegrationTests;

/// <summary>
/// Bad requests to every operation of the served OpenAPI document, as a customer and as an admin:
/// no answer is a 5xx or a status the document does not declare (the test client checks that),
/// every 4xx is a problem with type, title, status, detail and traceId, and no rejected request
/// changes any data.
/// <para>
/// Requests: first a small world of real resources (users, a category with a child, products, the
/// roles' addresses, orders in several states, a paid and refunded payment), so that each
/// operation's valid request (the document's example body, with real ids in the body and the path)
/// reaches validation and the service behind it. Writes that must not consume what later operations
/// use are aimed where a valid request is refused by a business rule after validation (cancel and
/// status changes of a cancelled order, payment of a refunded order, refund of a refunded payment,
/// delete of a category with a child); the DELETEs of products and addresses at a throwaway resource,
/// made again after each accepted DELETE. Each operation gets its valid request, then
/// <see cref="RequestsPerOperationAndRole"/> mutations of it (<see cref="RequestMutations"/>) from a
/// <see cref="Random"/> seeded with the run's seed, the operation and the role: a failure names the
/// seed (<see cref="SeedVariable"/>), and that seed gives the same requests again.
/// </para>
/// <para>
/// Data check: a snapshot of the database (<see cref="DataSnapshot"/>: every shop table's row count
/// and content hash) is taken, rejected requests are sent in batches of up to <see cref="BatchSize"/>,
/// and the snapshot after must equal the one before. When the valid request is accepted, a mutation
/// that may be too (an extra field, a header a valid request may carry) is sent alone, after the
/// batch before it is checked; an accepted write moves the baseline once its background work is done
/// (no Wolverine message left to handle or to send). A batched request that is accepted after all has
/// the others of its batch sent again one by one, each between two snapshots.
/// </para>
/// <para>
/// The test has a host of its own per provider (<see cref="FuzzSqliteShop"/>, <see cref="FuzzPostgresShop"/>,
/// settings in <see cref="ConfigureHost"/>), so that the shared hosts keep the production rate limits,
/// and its small database keeps snapshots quick.
/// </para>
/// </summary>
public abstract class FuzzTests(ShopFactory shop, ITestOutputHelper output)
{
    /// <summary>Set to a number to fuzz with another seed; a failure names the seed that found it.</summary>
    public const string SeedVariable = "SHOP_FUZZ_SEED";

    private const int DefaultSeed = 20_261_201;
    private const int RequestsPerOperationAndRole = 50;
    private const int BatchSize = 25;

    /// <summary>
    /// The fuzz hosts' settings: request and registration limits far above the 4,100 requests a run
    /// sends from its two users, so that every request reaches validation rather than a 429.
    /// </summary>
    internal static void ConfigureHost(IDictionary<string, string?> settings)
    {
        settings["RateLimiting:GlobalPerMinute"] = "1000000";
        settings["RateLimiting:RegistrationsPerHour"] = "1000000";
        // The login throttle stricter instead: every failed login or password check costs a bcrypt
        // verify (0.1 s, far more on a loaded machine), and the 429 that follows the first costs nothing.
        settings["RateLimiting:LoginFailuresPerAccount"] = "1";
        settings["RateLimiting:LoginFailuresPerAccountAcrossAddresses"] = "2";
        settings["RateLimiting:LoginFailuresPerAddress"] = "2";
    }

    [Fact]
    public async Task Bad_requests_to_every_operation_are_problems_and_change_no_data()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var chosen) ? chosen : DefaultSeed;
        var clock = Stopwatch.StartNew();
        var document = shop.OpenApiDocumentAsync();
        var world = await World.CreateAsync(shop);
        var operations = ApiOperation.Read(await document);
        var run = new Run(world, seed, await DataSnapshot.ReaderForAsync(shop));
        await run.SettleAsync();
        var setup = clock.Elapsed;

        foreach (var operation in operations)
        {
            foreach (var role in world.Roles)
            {
                await run.FuzzAsync(operation, role);
            }
        }

        output.WriteLine($"{shop.Provider}: seed {seed} ({SeedVariable}), {operations.Count} operations x {world.Roles.Count} roles, "
            + $"{run.Sent} requests ({run.SentPerOperation.Values.Min()} to {run.SentPerOperation.Values.Max()} mutations per operation and role, after its valid request), in {clock.Elapsed.TotalSeconds:F1} s "
            + $"(setup {setup.TotalSeconds:F1} s)");
        output.WriteLine($"setup: {string.Join(", ", world.Timings)}");
        output.WriteLine($"statuses: {string.Join(", ", run.Statuses.Select(s => $"{s.Key} x{s.Value}"))}");
        output.WriteLine($"data checks: {run.Batches} batches, {run.Alone} requests alone, {run.Replayed} batched requests sent again alone, "
            + $"{run.Accepted} accepted writes; {run.Snapshots} snapshots of {run.Tables} tables; "
            + $"time sending {run.Sending.Elapsed.TotalSeconds:F1} s, in snapshots {run.Snapshotting.Elapsed.TotalSeconds:F1} s, waiting for background work {run.Settling.Elapsed.TotalSeconds:F1} s ({run.Polls} polls)");
        foreach (var line in run.Lines)
        {
            output.WriteLine(line);
        }

        foreach (var (key, sent) in run.SentPerOperation.Where(s => s.Value < 50))
        {
            run.Failures.Add($"{key}: only {sent} mutations sent, 50 wanted");
        }

        Assert.True(run.Failures.Count == 0,
            $"{run.Failures.Count} failures on {shop.Provider} with seed {seed} (rerun with {SeedVariable}={seed}):\n" + string.Join("\n", run.Failures.Take(40)));
    }

    private static int SeedFor(int seed, string key) => BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed} {key}")));

    /// <summary>Who sends: a user and a client (address) of its own, without a default token (each request carries it, or a mutation's).</summary>
    private sealed record Role(string Name, TestUser User, HttpClient Client);

    private sealed record Answer(int Status);

    /// <summary>The resources the base requests point at, created through the API before fuzzing.</summary>
    private sealed class World
    {
        private readonly Dictionary<string, Guid> _throwaway = [];

        /// <summary>Throwaways with two path parameters (a product and its variant), by parameter name.</summary>
        private readonly Dictionary<string, Dictionary<string, Guid>> _throwawayPaths = [];

        public required TestUser Admin { get; init; }
        public required List<string> Timings { get; init; }
        public required IReadOnlyList<Role> Roles { get; init; }
        public required Guid TargetUserId { get; init; }
        public required Guid CategoryId { get; init; }
        public required string CategorySlug { get; init; }
        public required Guid ProductId { get; init; }
        public required string ProductSku { get; init; }
        public required Guid OrderProductId { get; init; }

        /// <summary>A product sold in variants (options Size and Color; an L/Red variant), for the /variants routes.</summary>
        public required Guid VariantProductId { get; init; }
        public required Guid VariantId { get; init; }
        public required Guid PendingOrderId { get; init; }
        public required Guid ClosedOrderId { get; init; }
        public required Guid RefundedOrderId { get; init; }
        public required Guid PaymentId { get; init; }
        public required IReadOnlyDictionary<string, Guid> Addresses { get; init; }
        public required IReadOnlyDictionary<string, (Guid Cart, Guid Line)> Carts { get; init; }
        public required Guid DiscountId { get; init; }
        public required Guid ShippingMethodId { get; init; }

        /// <summary>Ids a mutation may put where another kind of id belongs; not the roles' own user or addresses, which a mutation could lock or delete.</summary>
        public required IReadOnlyList<string> KnownIds { get; init; }

        public static async Task<World> CreateAsync(ShopFactory shop)
        {
            var timings = new List<string>();
            var lap = Stopwatch.StartNew();
            void Lap(string what)
            {
                timings.Add($"{what} {lap.Elapsed.TotalSeconds:F1} s");
                lap.Restart();
            }

            // bcrypt is most of this: the three accounts are made at once. The customer's password is
            // not the example's, so a well-formed password change is refused and never changes it.
            var (adminLogin, customerSignUp, targetSignUp) = (shop.AdminAsync(), shop.NewUserAsync("fuzz-customer-password-1"), SignUpAsync(shop));
            var (admin, customer, target) = (await adminLogin, await customerSignUp, await targetSignUp);
            Lap("accounts");

            var category = await admin.CreateCategoryAsync("Fuzz");
            var child = await admin.CreateCategoryAsync("Fuzz child", category);
            var product = await admin.CreateProductAsync(CatalogApi.ProductBody(categoryId: category));
            var productId = product.GetProperty("id").GetGuid();
            await admin.SetStockAsync(productId, 50);
            var orderProduct = await admin.CreateProductAsync(onHand: 100_000);
            var (variantProduct, variantId) = await VariantProductAsync(admin, "L");

            var addresses = new Dictionary<string, Guid>
            {
                ["customer"] = await AddressAsync(customer.Client),
                ["admin"] = await AddressAsync(admin.Client),
            };
            var carts = new Dictionary<string, (Guid, Guid)>
            {
                ["customer"] = await CartAsync(customer.Client, orderProduct),
                ["admin"] = await CartAsync(admin.Client, orderProduct),
            };
            var discount = (await admin.CreateDiscountAsync(new { code = "FUZZ10", type = "percentage", value = 10 })).GetProperty("id").GetGuid();
            var shippingMethod = await admin.CreateShippingMethodAsync("Fuzz post", 3m, ["US", "CA", "NR"]);
            await admin.SetTaxRateAsync("NR", 0.1m, appliesToShipping: false);
            Lap("catalog, addresses, carts and pricing");
            var pending = (await customer.PlaceOrderAsync((orderProduct, 1))).GetProperty("id").GetGuid();
            var closed = (await customer.PlaceOrderAsync((orderProduct, 1))).GetProperty("id").GetGuid();
            await Expect.Status(await customer.Client.PostAsJsonAsync($"/api/v1/orders/{closed}/cancel", new { reason = "fuzz" }), HttpStatusCode.OK);
            var refunded = (await customer.PlaceOrderAsync((orderProduct, 1))).GetProperty("id").GetGuid();
            Lap("orders");
            var payment = (await Expect.Json(await customer.PayAsync(refunded, "tok_visa"), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
            await customer.SettledAsync(payment, "succeeded");
            await Expect.Status(await admin.Client.PostAsJsonAsync($"/api/v1/payments/{payment}/refunds", new { }), HttpStatusCode.Accepted);
            await customer.SettledAsync(payment, "refunded");
            await customer.OrderWhenAsync(refunded, "refunded");
            Lap("payment and refund");

            return new World
            {
                Admin = admin,
                Timings = timings,
                Roles = [new Role("customer", customer, FuzzClient(shop)), new Role("admin", admin, FuzzClient(shop))],
                TargetUserId = target,
                CategoryId = category,
                CategorySlug = (await Expect.Json(await shop.Client().GetAsync($"/api/v1/categories/{category}"))).GetProperty("slug").GetString()!,
                ProductId = productId,
                ProductSku = product.GetProperty("sku").GetString()!,
                OrderProductId = orderProduct,
                VariantProductId = variantProduct,
                VariantId = variantId,
                PendingOrderId = pending,
                ClosedOrderId = closed,
                RefundedOrderId = refunded,
                PaymentId = payment,
                Addresses = addresses,
                Carts = carts,
                DiscountId = discount,
                ShippingMethodId = shippingMethod,
                KnownIds = [.. new[] { target, category, child, productId, orderProduct, variantProduct, variantId, pending, closed, refunded, payment, discount, shippingMethod }
                    .Concat(carts.Values.SelectMany(c => new[] { c.Item1, c.Item2 })).Select(id => id.ToString())],
            };
        }

        /// <summary>
        /// A product with the options of the request example (Size, Color) and one variant of this size
        /// in Red, so the example (M/Red) can be added, and two variants when a DELETE needs one to go.
        /// </summary>
        private static readonly object[] ShirtOptions = [new { name = "Size", values = new[] { "S", "M", "L" } }, new { name = "Color", values = new[] { "Red" } }];

        private static async Task<(Guid Product, Guid Variant)> VariantProductAsync(TestUser admin, params string[] sizes)
        {
            var prefix = $"FZ{Guid.NewGuid():N}"[..12].ToUpperInvariant();
            var product = await admin.CreateProductAsync(new
            {
                sku = prefix, name = $"Fuzz shirt {prefix}", currency = "USD",
                options = ShirtOptions,
                variants = sizes.Select(size => new { sku = $"{prefix}-{size}", optionValues = new Dictionary<string, string> { ["Size"] = size, ["Color"] = "Red" }, price = 25m }),
            });
            return (product.GetProperty("id").GetGuid(), product.GetProperty("variants")[sizes.Length - 1].GetProperty("id").GetGuid());
        }

        /// <summary>A user that PATCH /users/{id} may change (no need to log in: one bcrypt less).</summary>
        private static async Task<Guid> SignUpAsync(ShopFactory shop)
        {
            var registered = await shop.Client().PostAsJsonAsync("/api/v1/auth/register", new { email = "fuzz-target@example.com", password = "fuzz-target-password-1", fullName = "Target" });
            return (await Expect.Json(registered, HttpStatusCode.Created)).GetProperty("id").GetGuid();
        }

        private static HttpClient FuzzClient(ShopFactory shop)
        {
            var client = shop.Client();
            client.Timeout = TimeSpan.FromSeconds(30);
            return client;
        }

        /// <summary>A cart of the caller's with one line, shipping to an address (so that a checkout can succeed).</summary>
        private static async Task<(Guid Cart, Guid Line)> CartAsync(HttpClient client, Guid product)
        {
            var cart = await client.NewCartAsync();
            var line = (await client.AddAsync(cart, new { productId = product, quantity = 1 })).GetProperty("items")[0].GetProperty("id").GetGuid();
            await Expect.Status(await client.PatchCartAsync(cart, new() { ["shippingAddress"] = OrderApi.Address }), HttpStatusCode.OK);
            return (cart, line);
        }

        private static async Task<Guid> AddressAsync(HttpClient client) =>
            (await Expect.Json(await client.PostAsJsonAsync("/api/v1/users/me/addresses", OrderApi.Address), HttpStatusCode.Created)).GetProperty("id").GetGuid();

        /// <summary>The document's example body with real ids, and the headers a valid request needs.</summary>
        public BaseRequest BaseFor(ApiOperation operation)
        {
            var body = operation.BodyExample?.DeepClone();
            if (body is not null)
            {
                UseRealIds(body);
            }

            if (body is JsonObject fields)
            {
                switch (operation.Key)
                {
                    case "POST /api/v1/auth/register":
                        // Not the example's account, so that the example's login finds none: each
                        // login then costs a bcrypt verify only until the throttle answers 429.
                        fields["email"] = "fuzz-register@example.com";
                        break;
                    case "PUT /api/v1/products/{id}":
                        fields["sku"] = ProductSku; // its own sku: the example's would be taken by the one POST /products made
                        break;
                    case "PUT /api/v1/categories/{id}":
                        fields["slug"] = CategorySlug;
                        break;
                }
            }

            var headers = operation.In("header").Where(h => h.Required && h.Name == "Idempotency-Key")
                .Select(h => new KeyValuePair<string, string>(h.Name, "fuzz-idempotency-key")).ToList();
            return new BaseRequest(body, headers, SignBody: operation.In("header").Any(h => h.Name == WebhookSignature.Header));
        }

        private void UseRealIds(JsonNode node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var name in o.Select(p => p.Key).ToList())
                    {
                        o[name] = name switch
                        {
                            "productId" => OrderProductId.ToString(),
                            "categoryId" => CategoryId.ToString(),
                            "orderId" => RefundedOrderId.ToString(), // refunded: a valid payment of it is 409, and nothing is charged
                            "shippingMethodId" => ShippingMethodId.ToString(),
                            "categoryIds" => new JsonArray(CategoryId.ToString()),
                            _ => o[name],
                        };
                        if (o[name] is { } child)
                        {
                            UseRealIds(child);
                        }
                    }

                    break;
                case JsonArray a:
                    foreach (var item in a.OfType<JsonNode>())
                    {
                        UseRealIds(item);
                    }

                    break;
            }
        }

        /// <summary>The value of a path parameter in the base request, by the resource the path names.</summary>
        public string PathValue(ApiOperation operation, Role role, string parameter)
        {
            if (_throwaway.TryGetValue(ThrowawayKey(operation, role), out var throwaway))
            {
                return throwaway.ToString();
            }

            if (_throwawayPaths.TryGetValue(ThrowawayKey(operation, role), out var paths))
            {
                return paths[parameter].ToString();
            }

            if (operation.Path.Contains("/variants", StringComparison.Ordinal))
            {
                return (parameter == "variantId" ? VariantId : VariantProductId).ToString();
            }

            var segments = operation.Path.Split('/');
            var collection = segments[Array.IndexOf(segments, $"{{{parameter}}}") - 1];
            return (operation.Key, collection) switch
            {
                ("POST /api/v1/orders/{id}/cancel" or "PATCH /api/v1/orders/{id}/status", _) => ClosedOrderId.ToString(),
                ("GET /api/v1/orders/{id}/payments", _) => RefundedOrderId.ToString(),
                (_, "addresses") => Addresses[role.Name].ToString(),
                (_, "carts") => Carts[role.Name].Cart.ToString(),
                (_, "items") when parameter == "lineId" => Carts[role.Name].Line.ToString(),
                (_, "discounts") => DiscountId.ToString(),
                (_, "shipping-methods") => ShippingMethodId.ToString(),
                (_, "tax-rates") => "NR",
                (_, "users") => TargetUserId.ToString(),
                (_, "categories") => CategoryId.ToString(), // has a child, so DELETE is 409
                (_, "products") => ProductId.ToString(),
                (_, "orders") => PendingOrderId.ToString(),
                (_, "payments") => PaymentId.ToString(),
                (_, "webhooks") => "Sandbox",
                _ => throw new InvalidOperationException($"{operation.Key}: no resource for the path parameter '{parameter}'; add one to the fuzz test's world."),
            };
        }

        /// <summary>Makes the throwaway resource a DELETE aims at, the first time and after each accepted DELETE; false when there is none.</summary>
        public async Task<bool> PrepareAsync(ApiOperation operation, Role role)
        {
            switch (operation.Key)
            {
                case "DELETE /api/v1/products/{id}":
                    _throwaway[ThrowawayKey(operation, role)] = await Admin.CreateProductAsync();
                    return true;
                case "DELETE /api/v1/products/{id}/variants/{variantId}":
                    var (product, variant) = await VariantProductAsync(Admin, "S", "L");
                    _throwawayPaths[ThrowawayKey(operation, role)] = new() { ["id"] = product, ["variantId"] = variant };
                    return true;
                case "DELETE /api/v1/users/me/addresses/{id}":
                    _throwaway[ThrowawayKey(operation, role)] = await AddressAsync(role.User.Client);
                    return true;
                default:
                    return false;
            }
        }

        private static string ThrowawayKey(ApiOperation operation, Role role) => $"{operation.Key} as {role.Name}";
    }

    /// <summary>Sends the mutations and checks every answer and the data around them.</summary>
    private sealed class Run(World world, int seed, DataSnapshot.Reader snapshots)
    {
        private readonly List<FuzzRequest> _pending = [];
        private DataSnapshot? _baseline;

        public List<string> Failures { get; } = [];
        public SortedDictionary<int, int> Statuses { get; } = [];
        public Dictionary<string, int> SentPerOperation { get; } = [];
        public List<string> Lines { get; } = [];
        public int Sent { get; private set; }
        public int Batches { get; private set; }
        public int Alone { get; private set; }
        public int Replayed { get; private set; }
        public int Accepted { get; private set; }
        public int Snapshots { get; private set; }
        public int Polls { get; private set; }
        public Stopwatch Sending { get; } = new();
        public Stopwatch Snapshotting { get; } = new();
        public Stopwatch Settling { get; } = new();
        public int Tables => snapshots.Tables.Count;

        public async Task FuzzAsync(ApiOperation operation, Role role)
        {
            var key = $"{operation.Key} as {role.Name}";
            var started = Stopwatch.StartNew();
            var (acceptedBefore, statuses) = (Accepted, new SortedDictionary<int, int>());
            var baseRequest = world.BaseFor(operation);
            var requests = RequestMutations.For(operation, baseRequest, new Random(SeedFor(seed, key)), RequestsPerOperationAndRole, world.KnownIds);
            if (await world.PrepareAsync(operation, role) || _baseline is null)
            {
                await SettleAsync();
                _baseline = await SnapshotAsync();
            }

            // The valid request itself, first and alone. When even it is refused (a customer at an
            // admin's operation, the payment of a refunded order), so are its mutations: all go in batches.
            var first = await SendCheckedAsync(operation, role, RequestMutations.Base(baseRequest), alone: !operation.IsRead);
            var baseAccepted = IsAcceptedWrite(operation, first);
            foreach (var request in requests)
            {
                var answer = await SendCheckedAsync(operation, role, request, alone: baseAccepted && request.MayBeAccepted);
                statuses[answer.Status] = statuses.GetValueOrDefault(answer.Status) + 1;
            }

            await VerifyPendingAsync(operation, role);
            SentPerOperation[key] = requests.Count;
            Lines.Add($"{key}: base request {first.Status}; {requests.Count} mutations: {string.Join(", ", statuses.Select(s => $"{s.Key} x{s.Value}"))}; "
                + $"{Accepted - acceptedBefore} writes accepted; {started.Elapsed.TotalSeconds:F1} s");
        }

        /// <summary>
        /// Sends one request and checks its answer. A rejected one joins the batch that the next
        /// snapshot verifies; an accepted write moves the baseline. <paramref name="alone"/>: the
        /// request may be accepted, so the batch before it is verified first.
        /// </summary>
        private async Task<Answer> SendCheckedAsync(ApiOperation operation, Role role, FuzzRequest request, bool alone)
        {
            if (alone)
            {
                Alone++;
                await VerifyPendingAsync(operation, role);
            }

            var answer = await SendAsync(operation, role, request);
            if (IsAcceptedWrite(operation, answer))
            {
                // Any requests still in the batch were sent before this one changed data: each is
                // checked again on its own (it was refused, so it must change nothing however often it is sent).
                var suspects = _pending.ToList();
                _pending.Clear();
                await AcceptedAsync(operation, role);
                foreach (var suspect in suspects)
                {
                    await AloneAsync(operation, role, suspect);
                }

                _baseline = await SnapshotAsync();
                return answer;
            }

            _pending.Add(request);
            if (alone || _pending.Count >= BatchSize)
            {
                await VerifyPendingAsync(operation, role);
            }

            return answer;
        }

        private static bool IsAcceptedWrite(ApiOperation operation, Answer answer) => !operation.IsRead && answer.Status < 400;

        private async Task AcceptedAsync(ApiOperation operation, Role role)
        {
            Accepted++;
            if (operation.Method == "DELETE")
            {
                await world.PrepareAsync(operation, role);
            }

            await SettleAsync();
        }

        /// <summary>The requests sent since the baseline were all rejected (or reads): the data must be as it was.</summary>
        private async Task VerifyPendingAsync(ApiOperation operation, Role role)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            Batches++;
            var suspects = _pending.ToList();
            _pending.Clear();
            var after = await SnapshotAsync();
            var changes = after.ChangesSince(_baseline!);
            _baseline = after;
            if (changes.Count == 0)
            {
                return;
            }

            Fail(operation, role, $"{suspects.Count} request(s)", $"rejected, yet the data changed ({string.Join("; ", changes)}): {string.Join(" | ", suspects)}");
            foreach (var suspect in suspects)
            {
                await AloneAsync(operation, role, suspect);
            }

            _baseline = await SnapshotAsync();
        }

        /// <summary>Sends one request between two snapshots: rejected, it must have changed nothing.</summary>
        private async Task AloneAsync(ApiOperation operation, Role role, FuzzRequest request)
        {
            Replayed++;
            var before = await SnapshotAsync();
            var answer = await SendAsync(operation, role, request);
            if (IsAcceptedWrite(operation, answer))
            {
                await AcceptedAsync(operation, role);
                return;
            }

            var changes = (await SnapshotAsync()).ChangesSince(before);
            if (changes.Count > 0)
            {
                Fail(operation, role, request.Mutation, $"answered {answer.Status}, yet changed data: {string.Join("; ", changes)}");
            }
        }

        /// <summary>Waits until Wolverine holds no message still to handle or to send: the background work of an accepted write is done.</summary>
        public async Task SettleAsync()
        {
            Settling.Start();
            var deadline = Stopwatch.StartNew();
            var quiet = 0;
            while (true)
            {
                Polls++;
                var pending = await snapshots.PendingMessagesAsync();
                quiet = pending == 0 ? quiet + 1 : 0;
                if (quiet == 2)
                {
                    break;
                }

                if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                {
                    Failures.Add($"background work did not settle in 30 s: {pending} messages still to handle or to send");
                    break;
                }

                await Task.Delay(quiet == 0 ? 20 : 5);
            }

            Settling.Stop();
        }

        private async Task<DataSnapshot> SnapshotAsync()
        {
            Snapshots++;
            Snapshotting.Start();
            var snapshot = await snapshots.TakeAsync();
            Snapshotting.Stop();
            return snapshot;
        }

        private async Task<Answer> SendAsync(ApiOperation operation, Role role, FuzzRequest request)
        {
            using var message = Build(operation, role, request);
            Answer answer;
            Sending.Start();
            try
            {
                using var response = await role.Client.SendAsync(message);
                var body = await response.Content.ReadAsStringAsync();
                answer = new Answer((int)response.StatusCode);
                if (answer.Status >= 400 && Expect.ProblemViolation(response, body) is { } violation)
                {
                    Fail(operation, role, request.Mutation, violation);
                }
            }
            catch (XunitException e)
            {
                // The test client's own checks: a 5xx, or a status the document does not declare.
                Fail(operation, role, request.Mutation, e.Message.Length > 1_000 ? e.Message[..1_000] : e.Message);
                answer = new Answer(599);
            }
            catch (TaskCanceledException)
            {
                Fail(operation, role, request.Mutation, "no answer within 30 s");
                answer = new Answer(599);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The test server hands the client what the app threw past every handler.
                Fail(operation, role, request.Mutation, $"{e.GetType().Name}: {e.Message}");
                answer = new Answer(599);
            }

            Sending.Stop();
            Sent++;
            Statuses[answer.Status] = Statuses.GetValueOrDefault(answer.Status) + 1;
            return answer;
        }

        private HttpRequestMessage Build(ApiOperation operation, Role role, FuzzRequest request)
        {
            var path = operation.Path;
            foreach (var parameter in operation.In("path"))
            {
                var value = request.PathValues.TryGetValue(parameter.Name, out var mutated) ? mutated : world.PathValue(operation, role, parameter.Name);
                path = path.Replace($"{{{parameter.Name}}}", value, StringComparison.Ordinal);
            }

            var message = new HttpRequestMessage(new HttpMethod(operation.Method), path + request.Query);
            if (!request.WithoutToken)
            {
                message.Headers.Authorization = new("Bearer", role.User.AccessToken);
            }

            if (request.Body is { } body)
            {
                message.Content = request.UnknownLength ? new UnknownLengthContent(body) : new ByteArrayContent(body);
                if (request.ContentType is { } type)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
                }

                if (request.SignBody && !request.Headers.Any(h => h.Key == WebhookSignature.Header))
                {
                    message.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.Sign(ShopFactory.WebhookSecret, DateTimeOffset.UtcNow, body));
                }
            }

            foreach (var (name, value) in request.Headers)
            {
                if (!message.Headers.TryAddWithoutValidation(name, value))
                {
                    message.Content?.Headers.TryAddWithoutValidation(name, value);
                }
            }

            return message;
        }

        private void Fail(ApiOperation operation, Role role, string mutation, string what)
        {
            if (Failures.Count < 500)
            {
                Failures.Add($"{operation.Key} as {role.Name}, {mutation}: {what}");
            }
        }
    }

    /// <summary>A body sent without Content-Length: the server learns its size only by reading it.</summary>
    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

/// <summary>A SQLite host of the fuzz test's own, with rate limits it cannot reach.</summary>
public sealed class FuzzSqliteShop : SqliteShop
{
    public FuzzSqliteShop() => FuzzTests.ConfigureHost(Settings);
}

/// <summary>A PostgreSQL host of the fuzz test's own, with rate limits it cannot reach.</summary>
public sealed class FuzzPostgresShop : PostgresShop
{
    public FuzzPostgresShop() => FuzzTests.ConfigureHost(Settings);
}

[Collection(SqliteCollection.Name)]
public sealed class FuzzTestsOnSqlite(FuzzSqliteShop shop, ITestOutputHelper output) : FuzzTests(shop, output), IClassFixture<FuzzSqliteShop>;

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class FuzzTestsOnPostgres(FuzzPostgresShop shop, ITestOutputHelper output) : FuzzTests(shop, output), IClassFixture<FuzzPostgresShop>;
