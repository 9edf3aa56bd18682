using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>
/// The real API host over a real database, one per provider, shared by the tests of a collection.
/// Each test makes its own users (unique emails) and its own client address, so tests stay independent
/// while the host runs with the production rate limits.
/// </summary>
public abstract class ShopFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string SigningKey = "integration-tests-signing-key-long-enough-for-hs512-0123456789abcdef0123";
    public const string Issuer = "shop";
    public const string Audience = "shop";
    public const string AdminEmail = "admin@shop.test";
    public const string AdminPassword = "admin-password-1";

    protected Dictionary<string, string?> Settings => _settings;

    private readonly Dictionary<string, string?> _settings = new()
    {
        ["Jwt:SigningKey"] = SigningKey,
        ["Admin:Email"] = AdminEmail,
        ["Admin:Password"] = AdminPassword,
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Error",
        ["Cors:AllowedOrigins"] = "https://storefront.test, https://admin.test",
        ["Payments:WebhookSecret"] = WebhookSecret,
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:UseTls"] = "false",
        ["Smtp:From"] = "Shop <shop@shop.test>",
    };

    public abstract string Provider { get; }

    private readonly Lazy<Task<DeclaredResponses>> _declared;

    protected ShopFactory() => _declared = new(async () => DeclaredResponses.Parse(await OpenApiDocumentAsync()));

    /// <summary>The OpenAPI document this host serves.</summary>
    public async Task<JsonElement> OpenApiDocumentAsync()
    {
        using var client = CreateDefaultClient();
        return await Expect.Json(await client.GetAsync("/openapi/v1.json"));
    }

    public const string WebhookSecret = "whsec_integration_tests_0123456789";

    /// <summary>The SMTP server this host sends its mail to.</summary>
    public TestSmtpServer Smtp { get; } = new();

    /// <summary>What this host logged at Warning and above.</summary>
    public LogRecorder Logs { get; } = new();

    protected abstract Task<string> CreateDatabaseAsync();

    protected abstract Task DropDatabaseAsync();

    /// <summary>
    /// Settings for an API process of a test's own (see <see cref="RunningApi"/>) on a new, empty
    /// database of this provider, dropped on dispose: it must not share this host's database and queues.
    /// </summary>
    public abstract Task<ScratchDatabase> CreateScratchDatabaseAsync();

    public string ConnectionString { get; private set; } = "";

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await CreateDatabaseAsync();
        _settings["Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _settings["Database:Provider"] = Provider;
        _settings["ConnectionStrings:Database"] = ConnectionString;
        _ = Server; // start the host now, so a start-up failure fails the fixture clearly
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
        await DropDatabaseAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // "Testing" behaves like production: no developer pages, and the signing key is required.
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(s => s
            .AddSingleton<IStartupFilter, TestClientAddressFilter>()
            .AddSingleton<IStartupFilter, OperationHeaderFilter>()
            .AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(Logs));
    }

    /// <summary>Handles a message now, in this host, through Wolverine (as a job or a redelivery would).</summary>
    public async Task InvokeAsync(object message)
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Wolverine.IMessageBus>().InvokeAsync(message);
    }

    /// <summary>
    /// An anonymous client with a client address of its own. Any 5xx answer fails the test, and so
    /// does any status the OpenAPI document does not declare for the operation that gave it.
    /// </summary>
    public HttpClient Client(string? address = null)
    {
        var client = CreateDefaultClient(
            new FailOnServerErrorHandler(() => string.Join("\n", Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error).TakeLast(3))),
            new DeclaredResponsesHandler(() => _declared.Value));
        client.DefaultRequestHeaders.Add(TestClientAddressFilter.Header, address ?? TestClientAddressFilter.RandomAddress());
        return client;
    }

    public Task<TestUser> NewUserAsync(string? password = null) => RegisterAsync(Client(), password: password);

    public Task<TestUser> AdminAsync() => LogInAsync(Client(), Guid.Empty, AdminEmail, AdminPassword);

    /// <summary>Registers a new user (a unique email unless given) through this client and logs it in, in this host or any other.</summary>
    public static async Task<TestUser> RegisterAsync(HttpClient client, string? email = null, string? password = null)
    {
        email ??= $"user-{Guid.NewGuid():N}@example.com";
        password ??= "correct-horse-9";
        var registered = await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password, fullName = "Test User" });
        await Expect.Status(registered, HttpStatusCode.Created);
        var id = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        return await LogInAsync(client, id, email, password);
    }

    public static async Task<TestUser> LogInAsync(HttpClient client, Guid id, string email, string password)
    {
        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        await Expect.Status(login, HttpStatusCode.OK);
        var tokens = await login.Content.ReadFromJsonAsync<JsonElement>();
        var access = tokens.GetProperty("accessToken").GetString()!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return new TestUser(client, id, email, password, access, tokens.GetProperty("refreshToken").GetString()!);
    }
}

public sealed class ScratchDatabase(Dictionary<string, string> settings, Func<Task> drop) : IAsyncDisposable
{
    /// <summary>Environment variables (<c>Database__Provider</c>, <c>ConnectionStrings__Database</c>, ...) for the process.</summary>
    public Dictionary<string, string> Settings { get; } = settings;

    public async ValueTask DisposeAsync() => await drop();
}

public sealed record TestUser(HttpClient Client, Guid Id, string Email, string Password, string AccessToken, string RefreshToken);

public class SqliteShop : ShopFactory
{
    private string _path = "";

    public override string Provider => "Sqlite";

    protected override Task<string> CreateDatabaseAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "shop-tests");
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, $"{Guid.NewGuid():N}.db");
        return Task.FromResult($"Data Source={_path}");
    }

    protected override Task DropDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        Delete(_path);
        return Task.CompletedTask;
    }

    public override Task<ScratchDatabase> CreateScratchDatabaseAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), "shop-tests", $"{Guid.NewGuid():N}.db");
        var settings = new Dictionary<string, string> { ["Database__Provider"] = Provider, ["ConnectionStrings__Database"] = $"Data Source={path}" };
        return Task.FromResult(new ScratchDatabase(settings, () =>
        {
            Delete(path);
            return Task.CompletedTask;
        }));
    }

    private static void Delete(string path)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(path + suffix);
        }
    }
}

public class PostgresShop : ShopFactory
{
    private string _database = "";

    public override string Provider => "Postgres";

    /// <summary>
    /// The server the test command started (SHOP_TEST_POSTGRES). Missing is a failure, not a skip:
    /// run the suite with scripts/test.sh, which starts a throwaway PostgreSQL.
    /// </summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("SHOP_TEST_POSTGRES") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "SHOP_TEST_POSTGRES is not set. Run the tests with 'bash scripts/test.sh', which starts a throwaway PostgreSQL, " +
                "or set it to a connection string for a server where the tests may create databases.");

    /// <summary>The broker the test command started (SHOP_TEST_RABBITMQ): on PostgreSQL, messages travel over RabbitMQ.</summary>
    public static string RabbitMqConnectionString =>
        Environment.GetEnvironmentVariable("SHOP_TEST_RABBITMQ") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("SHOP_TEST_RABBITMQ is not set. Run the tests with 'bash scripts/test.sh', which starts a throwaway RabbitMQ.");

    /// <summary>The Redis the test command started (SHOP_TEST_REDIS): on PostgreSQL, the cache is shared through Redis.</summary>
    public static string RedisConnectionString =>
        Environment.GetEnvironmentVariable("SHOP_TEST_REDIS") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("SHOP_TEST_REDIS is not set. Run the tests with 'bash scripts/test.sh', which starts a throwaway Redis.");

    /// <summary>The 3-node Redis Cluster the test command started (SHOP_TEST_REDIS_CLUSTER), as a list of its nodes.</summary>
    public static string RedisClusterConnectionString =>
        Environment.GetEnvironmentVariable("SHOP_TEST_REDIS_CLUSTER") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("SHOP_TEST_REDIS_CLUSTER is not set. Run the tests with 'bash scripts/test.sh', which starts a throwaway Redis Cluster.");

    protected override async Task<string> CreateDatabaseAsync()
    {
        _database = $"shop_test_{Guid.NewGuid():N}";
        // Queues and exchanges of this host only: other hosts of the run share the broker.
        Settings["ConnectionStrings:RabbitMq"] = RabbitMqConnectionString;
        Settings["RabbitMq:Prefix"] = _database;
        // Hosts share one Redis: each names its keys after its own database.
        Settings["ConnectionStrings:Redis"] = RedisConnectionString;
        Settings["Caching:KeyPrefix"] = _database;
        return await CreateAsync(_database);
    }

    protected override Task DropDatabaseAsync()
    {
        NpgsqlConnection.ClearAllPools();
        return DropAsync(_database);
    }

    public override async Task<ScratchDatabase> CreateScratchDatabaseAsync()
    {
        var database = $"shop_scratch_{Guid.NewGuid():N}";
        var settings = new Dictionary<string, string>
        {
            ["Database__Provider"] = Provider,
            ["ConnectionStrings__Database"] = await CreateAsync(database),
            ["ConnectionStrings__RabbitMq"] = RabbitMqConnectionString,
            ["RabbitMq__Prefix"] = database,
        };
        return new ScratchDatabase(settings, () => DropAsync(database));
    }

    internal static async Task<string> CreateAsync(string database)
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database }.ConnectionString;
    }

    internal static async Task DropAsync(string database)
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SqliteCollection : ICollectionFixture<SqliteShop>
{
    public const string Name = "sqlite";
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresShop>
{
    public const string Name = "postgres";
}
