using System.Diagnostics;
using Npgsql;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>
/// Real processes against one PostgreSQL database and one RabbitMQ broker: an API that only
/// publishes (Workers:Enabled=false, unless started with apiHandlesMessages) and any number of
/// worker processes, each killable with SIGKILL. Everything is stopped and the database dropped
/// on dispose.
/// </summary>
public sealed class ShopCluster : IAsyncDisposable
{
    private readonly string _database = $"shop_cluster_{Guid.NewGuid():N}";
    private readonly string _directory = Directory.CreateTempSubdirectory("shop-cluster-").FullName;
    private readonly List<Process> _processes = [];
    private readonly List<HttpClient> _clients = [];
    private readonly Dictionary<string, string> _environment;
    private readonly Dictionary<string, string> _workerEnvironment = [];

    private ShopCluster(int apiPort, string rabbitMq, IReadOnlyDictionary<string, string>? environment)
    {
        ApiPort = apiPort;
        ConnectionString = new NpgsqlConnectionStringBuilder(PostgresShop.ServerConnectionString) { Database = _database }.ConnectionString;
        _environment = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Database"] = ConnectionString,
            ["ConnectionStrings__RabbitMq"] = rabbitMq,
            ["RabbitMq__Prefix"] = _database,
            ["Jwt__SigningKey"] = ShopFactory.SigningKey,
            ["Admin__Email"] = ShopFactory.AdminEmail,
            ["Admin__Password"] = ShopFactory.AdminPassword,
            ["Smtp__PickupDirectory"] = Path.Combine(_directory, "mail"),
            ["RateLimiting__GlobalPerMinute"] = "100000",
            ["RateLimiting__RegistrationsPerHour"] = "100000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            _environment[key] = value;
        }
    }

    public int ApiPort { get; }

    /// <summary>RabbitMq:Prefix of every process: the cluster's own names on a shared broker.</summary>
    public string RabbitMqPrefix => _database;
    public string ConnectionString { get; }

    /// <summary>Where each process's output goes, one file per process ("api-PID.log", "worker-0-PID.log"...).</summary>
    public string LogDirectory => _directory;
    public Process Api { get; private set; } = null!;
    public List<Process> Workers { get; } = [];

    /// <param name="workers">Worker processes to start.</param>
    /// <param name="environment">Settings for every process, over the defaults.</param>
    /// <param name="apiHandlesMessages">Run handlers and schedules in the API process too (Workers:Enabled=true).</param>
    /// <param name="rabbitMq">The broker, when not the one the test command started.</param>
    /// <param name="workerEnvironment">Settings for the worker processes only, over <paramref name="environment"/>.</param>
    public static async Task<ShopCluster> StartAsync(int workers, IReadOnlyDictionary<string, string>? environment = null,
        bool apiHandlesMessages = false, string? rabbitMq = null, IReadOnlyDictionary<string, string>? workerEnvironment = null)
    {
        var cluster = new ShopCluster(Loopback.FreePort(), rabbitMq ?? PostgresShop.RabbitMqConnectionString, environment);
        foreach (var (key, value) in workerEnvironment ?? new Dictionary<string, string>())
        {
            cluster._workerEnvironment[key] = value;
        }

        await using (var connection = new NpgsqlConnection(PostgresShop.ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {cluster._database}", connection);
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            cluster.Api = cluster.Start("api", ApiProcess.ApiAssembly, new() { ["Workers__Enabled"] = apiHandlesMessages ? "true" : "false", ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{cluster.ApiPort}" });
            await Loopback.WaitUntilReadyAsync(new Uri($"http://127.0.0.1:{cluster.ApiPort}"), cluster.Api, cluster.Logs, TimeSpan.FromSeconds(60));
            var workersStarted = DateTime.UtcNow;
            for (var i = 0; i < workers; i++)
            {
                await cluster.StartWorkerAsync();
            }

            // A worker takes seconds to boot; until it has joined, the API's node is given all the work
            // (the recurring jobs, say), which is not the cluster the tests mean to exercise.
            await Eventually.Until($"{workers} workers to join the cluster", () => cluster.NodesStartedSinceAsync(workersStarted), joined => joined >= workers,
                TimeSpan.FromSeconds(60), joined => $"{joined} joined\n{cluster.Logs()}");
            return cluster;
        }
        catch
        {
            // The test never gets the cluster to dispose: stop its processes here, or they outlive the run.
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The ports of the API processes started after the first (<see cref="StartApiAsync"/>).</summary>
    public List<int> MoreApiPorts { get; } = [];

    /// <summary>Another API process on the same database, broker and settings, ready to serve.</summary>
    public async Task<Process> StartApiAsync()
    {
        var port = Loopback.FreePort();
        var api = Start($"api-{MoreApiPorts.Count + 1}", ApiProcess.ApiAssembly,
            new() { ["Workers__Enabled"] = "false", ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" });
        await Loopback.WaitUntilReadyAsync(new Uri($"http://127.0.0.1:{port}"), api, Logs, TimeSpan.FromSeconds(60));
        MoreApiPorts.Add(port);
        return api;
    }

    /// <summary>An anonymous client of the API process (or of the one on <paramref name="port"/>), disposed with the cluster; any 5xx answer fails the test.</summary>
    public HttpClient Client(int? port = null)
    {
        var client = new HttpClient(new FailOnServerErrorHandler(Logs) { InnerHandler = new HttpClientHandler() })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port ?? ApiPort}"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        _clients.Add(client);
        return client;
    }

    /// <summary>A new user, registered and logged in the way the single-host tests do it.</summary>
    public Task<TestUser> NewUserAsync() => ShopFactory.RegisterAsync(Client());

    public Task<TestUser> AdminAsync() => ShopFactory.LogInAsync(Client(), Guid.Empty, ShopFactory.AdminEmail, ShopFactory.AdminPassword);

    /// <summary>The metrics port of each worker, in the order of <see cref="Workers"/>.</summary>
    public List<int> WorkerMetricsPorts { get; } = [];

    public Task<Process> StartWorkerAsync()
    {
        var metricsPort = Loopback.FreePort();
        var worker = Start($"worker-{Workers.Count}", WorkerAssembly,
            new(_workerEnvironment) { ["Metrics__Port"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Workers.Add(worker);
        WorkerMetricsPorts.Add(metricsPort);
        return Task.FromResult(worker);
    }

    /// <summary>Processes that have registered themselves as Wolverine nodes since this instant.</summary>
    private async Task<long> NodesStartedSinceAsync(DateTime since)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM wolverine.wolverine_nodes WHERE started >= @since", connection);
        count.Parameters.AddWithValue("since", since);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>A worker's Prometheus text, or null while it does not answer.</summary>
    public async Task<string?> WorkerMetricsAsync(int worker)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            return await client.GetStringAsync(new Uri($"http://127.0.0.1:{WorkerMetricsPorts[worker]}/metrics"));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, in-flight messages left exactly where the crash found them.</summary>
    public static void Kill(Process process)
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
    }

    private static string WorkerAssembly => ApiProcess.ApiAssembly.Replace(
        Path.Combine("Shop.Api", "bin"), Path.Combine("Shop.Worker", "bin"), StringComparison.Ordinal).Replace("Shop.Api.dll", "Shop.Worker.dll", StringComparison.Ordinal);

    private Process Start(string name, string assembly, Dictionary<string, string> extra)
    {
        var start = ApiProcess.StartInfo(assembly, _directory, _environment.Concat(extra));
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}.");
        var log = new StreamWriter(Path.Combine(_directory, $"{name}-{process.Id}.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    public string Logs() => string.Join("\n", Directory.GetFiles(_directory, "*.log").Select(f =>
    {
        try
        {
            using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var text = new StreamReader(stream).ReadToEnd();
            return $"--- {Path.GetFileName(f)}\n{(text.Length > 4000 ? text[^4000..] : text)}";
        }
        catch (IOException)
        {
            return "";
        }
    }));


    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        foreach (var process in _processes.Where(p => !p.HasExited))
        {
            Kill(process);
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(PostgresShop.ServerConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
        if (Environment.GetEnvironmentVariable("SHOP_KEEP_CLUSTER_LOGS") is not "1")
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }

    }
}
