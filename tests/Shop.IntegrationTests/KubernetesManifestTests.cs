using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Shop.Api.Infrastructure;
using Shop.IntegrationTests.Infrastructure;
using static Shop.IntegrationTests.Infrastructure.KubernetesManifests;

namespace Shop.IntegrationTests;

/// <summary>
/// The invariants of deploy/kubernetes that a cluster would only reveal by failing: every overlay as
/// <c>kubectl kustomize</c> renders it, checked against the app (its ports, health paths, configuration
/// keys, shutdown bound, body limit) and against the pipelines (images). The schemas themselves are
/// checked by deploy/kubernetes/validate (scripts/test.sh).
/// </summary>
[Trait("Category", "Kubernetes")]
public sealed partial class KubernetesManifestTests
{
    private const int ApiPort = 8080; // ASPNETCORE_HTTP_PORTS of the aspnet image the Dockerfile runs on

    // BoundedShutdown (issue 15): a host exits within shutdownTimeoutSeconds (5 s unless set) plus a 2 s watchdog grace.
    private const int DefaultShutdownTimeoutSeconds = 5;
    private const int ShutdownWatchdogGraceSeconds = 2;

    public static TheoryData<string> AllOverlays() => new(Overlays);

    [Fact]
    public void There_are_a_development_and_a_production_overlay() =>
        Assert.Equal(["development", "production"], Overlays);

    [Theory, MemberData(nameof(AllOverlays))]
    public void Every_shop_container_runs_locked_down_with_requests_and_limits(string overlay)
    {
        var objects = Render(overlay);
        var containers = objects.ShopContainers().ToList();
        Assert.Equal(["migrate", "shop-api", "shop-worker"], containers.Select(x => x.Workload.Name().Replace("shop-migrate", "migrate")).Order());
        foreach (var (workload, container) in containers)
        {
            var where = $"{overlay}: {workload.Name()}";
            var pod = workload.PodSpec();
            Assert.True("false" == (string?)pod["automountServiceAccountToken"], $"{where}: automountServiceAccountToken");
            Assert.Equal("shop", (string?)pod["serviceAccountName"]);
            Assert.Equal("true", (string?)pod["securityContext"]!["runAsNonRoot"]);
            Assert.Equal(1654, Number(pod["securityContext"]!["runAsUser"])); // the image's "app" user
            Assert.Equal("RuntimeDefault", (string?)pod["securityContext"]!["seccompProfile"]!["type"]);

            var security = container["securityContext"]!;
            Assert.True("true" == (string?)security["readOnlyRootFilesystem"], $"{where}: readOnlyRootFilesystem");
            Assert.True("false" == (string?)security["allowPrivilegeEscalation"], $"{where}: allowPrivilegeEscalation");
            Assert.Equal(["ALL"], security["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));
            Assert.Equal("RuntimeDefault", (string?)security["seccompProfile"]!["type"]);
            Assert.Null(security["privileged"]);

            // The read-only root leaves /tmp to .NET, as an emptyDir.
            Assert.Contains(container["volumeMounts"]!.AsArray(), m => (string?)m!["mountPath"] == "/tmp");

            foreach (var bound in new[] { "requests", "limits" })
            {
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    Assert.True(container["resources"]?[bound]?[resource] is not null, $"{where}: resources.{bound}.{resource}");
                }
            }
        }
    }

    [Theory, MemberData(nameof(AllOverlays))]
    public void Probes_use_the_health_paths_on_the_port_each_process_listens_on(string overlay)
    {
        var objects = Render(overlay);
        foreach (var deployment in objects.OfKind("Deployment").Where(d => d.Containers().Any(c => c.ImageName().StartsWith("shop-", StringComparison.Ordinal))))
        {
            var container = deployment.Containers().Single();
            var environment = container.Environment(objects);
            var ports = container["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => Number(p!["containerPort"]));
            var metricsPort = int.Parse(environment["Metrics__Port"]!);
            Assert.Equal(metricsPort, ports["metrics"]);
            // The API serves /health on its public port; the worker only has its management port.
            var healthPort = container.ImageName() == "shop-api" ? ports["http"] : metricsPort;
            if (container.ImageName() == "shop-api")
            {
                Assert.Equal(ApiPort, ports["http"]);
            }

            var expected = new Dictionary<string, string>
            {
                ["startupProbe"] = "/health/live", ["livenessProbe"] = "/health/live", ["readinessProbe"] = "/health/ready",
            };
            foreach (var (probe, path) in expected)
            {
                var get = container[probe]?["httpGet"] ?? throw new Xunit.Sdk.XunitException($"{overlay}: {deployment.Name()} has no {probe} httpGet");
                Assert.Equal(path, (string?)get["path"]);
                var port = get["port"]!.ToString();
                Assert.Equal(healthPort, ports.TryGetValue(port, out var named) ? named : int.Parse(port));
            }

            // Prometheus's annotations point at the management port.
            var annotations = deployment["spec"]!["template"]!["metadata"]!["annotations"]!;
            Assert.Equal(metricsPort.ToString(), (string?)annotations["prometheus.io/port"]);
            Assert.Equal("/metrics", (string?)annotations["prometheus.io/path"]);
        }
    }

    [Theory, MemberData(nameof(AllOverlays))]
    public void Rollouts_never_take_a_pod_away_before_its_successor_is_ready(string overlay)
    {
        foreach (var deployment in Render(overlay).OfKind("Deployment").Where(d => d.Name().StartsWith("shop-", StringComparison.Ordinal)))
        {
            Assert.Equal("RollingUpdate", (string?)deployment["spec"]!["strategy"]!["type"]);
            Assert.Equal(0, Number(deployment["spec"]!["strategy"]!["rollingUpdate"]!["maxUnavailable"]));
        }
    }

    [Fact]
    public void Production_runs_at_least_two_API_pods_spread_over_nodes_and_zones()
    {
        var objects = Render("production");
        var api = objects.Named("Deployment", "shop-api");
        Assert.True(Number(api["spec"]!["replicas"]) >= 2);
        Assert.True(Number(objects.Named("HorizontalPodAutoscaler", "shop-api")["spec"]!["minReplicas"]) >= 2);
        var keys = api.PodSpec()["topologySpreadConstraints"]!.AsArray().Select(t => (string)t!["topologyKey"]!);
        Assert.Equal(["kubernetes.io/hostname", "topology.kubernetes.io/zone"], keys.Order());
    }

    [Theory, MemberData(nameof(AllOverlays))]
    public void The_grace_period_outlasts_the_preStop_pause_and_the_bounded_shutdown(string overlay)
    {
        var objects = Render(overlay);
        foreach (var deployment in objects.OfKind("Deployment").Where(d => d.Name().StartsWith("shop-", StringComparison.Ordinal)))
        {
            var container = deployment.Containers().Single();
            var preStop = container["lifecycle"]?["preStop"]?["sleep"]?["seconds"] is { } seconds ? Number(seconds) : 0;
            var shutdown = container.Environment(objects).TryGetValue("shutdownTimeoutSeconds", out var set) ? int.Parse(set!) : DefaultShutdownTimeoutSeconds;
            var grace = Number(deployment.PodSpec()["terminationGracePeriodSeconds"]);
            Assert.True(grace > preStop + shutdown + ShutdownWatchdogGraceSeconds,
                $"{overlay}: {deployment.Name()}: terminationGracePeriodSeconds {grace} <= preStop {preStop} + shutdown {shutdown} + {ShutdownWatchdogGraceSeconds}");
        }

        // The API leaves the load balancers before it stops listening.
        Assert.True(Number(objects.Named("Deployment", "shop-api").Containers().Single()["lifecycle"]!["preStop"]!["sleep"]!["seconds"]) >= 5);
    }

    [Theory, MemberData(nameof(AllOverlays))]
    public void Servers_refuse_an_old_schema_and_the_Job_migrates_it_with_the_API_image(string overlay)
    {
        var objects = Render(overlay);
        foreach (var (workload, container) in objects.ShopContainers())
        {
            var environment = container.Environment(objects);
            Assert.Equal("false", environment["Database__MigrateOnStartup"]);
            Assert.Equal("Postgres", environment["Database__Provider"]);
            Assert.True(environment.ContainsKey("ConnectionStrings__Database") || overlay == "production", $"{workload.Name()}: no database");
        }

        var job = objects.Named("Job", "shop-migrate");
        var migrate = job.Containers().Single();
        Assert.Equal("shop-api", migrate.ImageName());
        Assert.Equal(["migrate"], migrate["args"]!.AsArray().Select(a => (string)a!));
        Assert.Null(migrate["command"]);
        Assert.Equal("Never", (string?)job.PodSpec()["restartPolicy"]);
        // The API runs no background work: the worker does.
        Assert.Equal("false", objects.Named("Deployment", "shop-api").Containers().Single().Environment(objects)["Workers__Enabled"]);
    }

    [Theory, MemberData(nameof(AllOverlays))]
    public void Every_variable_the_manifests_set_is_a_setting_the_app_reads(string overlay)
    {
        var objects = Render(overlay);
        var names = objects.ShopContainers().SelectMany(x => x.Container.Environment(objects).Keys)
            .Concat(ReadYaml("deploy", "kubernetes", "examples", "secret.template.yaml")["stringData"]!.AsObject().Select(p => p.Key))
            .Concat(SecretTemplateCommentedKeys())
            .Distinct().Order().ToList();
        Assert.Contains("Jwt__SigningKey", names);
        var unknown = names.Where(name => !IsSettingTheAppReads(name)).ToList();
        Assert.True(unknown.Count == 0, $"{overlay}: not settings the app reads: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void The_settings_check_refuses_a_misspelt_key()
    {
        Assert.True(IsSettingTheAppReads("Database__MigrateOnStartup"));
        Assert.True(IsSettingTheAppReads("ConnectionStrings__DatabaseReadReplica"));
        Assert.True(IsSettingTheAppReads("Metrics__Port"));
        Assert.False(IsSettingTheAppReads("Database__MigrateOnStart"));
        Assert.False(IsSettingTheAppReads("ConnectionStrings__Rabbit"));
        Assert.False(IsSettingTheAppReads("Smtp__Hostname"));
        Assert.False(IsSettingTheAppReads("ASPNETCORE_FORWARDED_HEADERS"));
    }

    [Theory, MemberData(nameof(AllOverlays))]
    public void Services_budgets_and_autoscalers_select_pods_that_exist(string overlay)
    {
        var objects = Render(overlay);
        var pods = objects.Where(o => (string?)o["kind"] is "Deployment" or "StatefulSet" or "Job")
            .Select(w => (Workload: w, Labels: w["spec"]!["template"]!["metadata"]!["labels"]!.AsObject()))
            .ToList();
        bool Selects(JsonObject? matchLabels, JsonObject labels) =>
            matchLabels is { Count: > 0 } && matchLabels.All(p => (string?)labels[p.Key] == (string?)p.Value);

        foreach (var service in objects.OfKind("Service"))
        {
            var selected = pods.Where(p => Selects(service["spec"]!["selector"]?.AsObject(), p.Labels)).ToList();
            Assert.True(selected.Count == 1, $"{overlay}: Service {service.Name()} selects {selected.Count} workloads");
            var ports = selected[0].Workload.Containers().SelectMany(c => c["ports"]!.AsArray()).Select(p => (string)p!["name"]!).ToList();
            foreach (var port in service["spec"]!["ports"]!.AsArray())
            {
                Assert.Contains((string)port!["targetPort"]!, ports);
            }
        }

        foreach (var budget in objects.OfKind("PodDisruptionBudget"))
        {
            Assert.Single(pods, p => Selects(budget["spec"]!["selector"]!["matchLabels"]!.AsObject(), p.Labels) && (string?)p.Workload["kind"] == "Deployment");
        }

        foreach (var autoscaler in objects.OfKind("HorizontalPodAutoscaler"))
        {
            var target = autoscaler["spec"]!["scaleTargetRef"]!;
            var deployment = objects.Named((string)target["kind"]!, (string)target["name"]!);
            Assert.True(Number(autoscaler["spec"]!["minReplicas"]) <= Number(deployment["spec"]!["replicas"]));
            // CPU utilisation needs CPU requests.
            Assert.All(deployment.Containers(), c => Assert.NotNull(c["resources"]!["requests"]!["cpu"]));
        }

        foreach (var kind in new[] { "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget" })
        {
            Assert.Equal(["shop-api", "shop-worker"], objects.OfKind(kind).Select(o => o.Name()).Where(n => n.StartsWith("shop-", StringComparison.Ordinal)).Order());
        }
    }

    [Theory, MemberData(nameof(AllOverlays))]
    public void Network_policies_deny_by_default_and_admit_the_API_only_from_the_ingress_controller(string overlay)
    {
        var objects = Render(overlay);
        var policies = objects.OfKind("NetworkPolicy").ToList();
        var deny = policies.Single(p => p.Name() == "default-deny");
        Assert.Empty(deny["spec"]!["podSelector"]!.AsObject());
        Assert.Equal(["Egress", "Ingress"], deny["spec"]!["policyTypes"]!.AsArray().Select(t => (string)t!).Order());
        Assert.Null(deny["spec"]!["ingress"]);
        Assert.Null(deny["spec"]!["egress"]);

        // Every pod of the namespace has a policy of its own (besides the namespace-wide ones).
        foreach (var workload in objects.Where(o => (string?)o["kind"] is "Deployment" or "StatefulSet" or "Job"))
        {
            var labels = workload["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
            Assert.True(policies.Any(p => p["spec"]!["podSelector"]!["matchLabels"] is JsonObject m && m.Count > 0 && m.All(l => (string?)labels[l.Key] == (string?)l.Value)),
                $"{overlay}: no NetworkPolicy for {workload.Name()}");
        }

        var api = policies.Single(p => p.Name() == "shop-api")["spec"]!;
        var ingressRules = api["ingress"]!.AsArray();
        var publicRule = ingressRules.Single(r => r!["ports"]!.AsArray().Any(p => Number(p!["port"]) == ApiPort))!;
        Assert.Equal("ingress-nginx", (string?)publicRule["from"]!.AsArray().Single()!["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"]);
        Assert.Null(publicRule["from"]!.AsArray().Single()!["ipBlock"]);
        // Egress of the shop's pods: only named ports (no rule open to every port).
        foreach (var name in new[] { "shop-api", "shop-worker", "shop-migrate" })
        {
            Assert.All(policies.Single(p => p.Name() == name)["spec"]!["egress"]!.AsArray(), rule => Assert.NotEmpty(rule!["ports"]!.AsArray()));
        }

        Assert.Equal([5432], policies.Single(p => p.Name() == "shop-migrate")["spec"]!["egress"]!.AsArray().SelectMany(r => r!["ports"]!.AsArray()).Select(p => Number(p!["port"])));
        Assert.Contains(policies.Single(p => p.Name() == "allow-dns")["spec"]!["egress"]!.AsArray().Single()!["ports"]!.AsArray(), p => Number(p!["port"]) == 53);
    }

    [Theory, MemberData(nameof(AllOverlays))]
    public void The_ingress_routes_only_the_public_port_and_caps_bodies_at_the_API_limit(string overlay)
    {
        var objects = Render(overlay);
        var ingress = objects.Named("Ingress", "shop-api");
        var limit = (string)ingress["metadata"]!["annotations"]!["nginx.ingress.kubernetes.io/proxy-body-size"]!;
        var match = Regex.Match(limit, "^([0-9]+)([km]?)$");
        Assert.True(match.Success, limit);
        var bytes = long.Parse(match.Groups[1].Value) * (match.Groups[2].Value switch { "k" => 1024, "m" => 1024 * 1024, _ => 1 });
        Assert.Equal(ErrorHandling.MaxRequestBodyBytes, bytes);
        var backend = ingress["spec"]!["rules"]!.AsArray().SelectMany(r => r!["http"]!["paths"]!.AsArray()).Select(p => p!["backend"]!["service"]!).Single();
        Assert.Equal("shop-api", (string?)backend["name"]);
        Assert.Equal("http", (string?)backend["port"]!["name"]);
        var apiEnvironment = objects.Named("Deployment", "shop-api").Containers().Single().Environment(objects);
        Assert.Equal("true", apiEnvironment["ASPNETCORE_FORWARDEDHEADERS_ENABLED"]);
        if (overlay == "production")
        {
            Assert.NotEmpty(ingress["spec"]!["tls"]!.AsArray());
        }
    }

    [Fact]
    public void The_images_are_the_ones_the_pipelines_build_and_deploy()
    {
        // GitHub Actions: one build per matrix target, pushed as ghcr.io/<owner>/shop-<target>.
        var github = ReadYaml(".github", "workflows", "ci.yml");
        var images = github["jobs"]!["images"]!;
        var targets = images["strategy"]!["matrix"]!["target"]!.AsArray().Select(t => (string)t!).Order().ToList();
        Assert.Equal(["api", "worker"], targets);
        var steps = images["steps"]!.AsArray();
        Assert.Contains(steps, s => s!["with"]?["images"]?.ToString() == "ghcr.io/${{ github.repository_owner }}/shop-${{ matrix.target }}");
        Assert.Contains(steps, s => s!["with"]?["target"]?.ToString() == "${{ matrix.target }}");
        Assert.Contains(steps, s => s!["with"]?["tags"]?.ToString() is { } tags && tags.Contains("type=sha,format=long", StringComparison.Ordinal));
        var deploy = string.Join('\n', github["jobs"]!["deploy"]!["steps"]!.AsArray().Select(s => s!["run"]?.ToString()));
        Assert.Contains("deploy/kubernetes/deploy.sh production \"ghcr.io/$owner/shop-api:$tag\" \"ghcr.io/$owner/shop-worker:$tag\"", deploy);
        Assert.Contains("tag=\"sha-${GITHUB_SHA}\"", deploy);

        // GitLab: the same targets, as $CI_REGISTRY_IMAGE/shop-<target>.
        var gitlab = ReadYaml(".gitlab-ci.yml");
        Assert.Equal("$CI_REGISTRY_IMAGE/shop-api", (string?)gitlab["variables"]!["API_IMAGE"]);
        Assert.Equal("$CI_REGISTRY_IMAGE/shop-worker", (string?)gitlab["variables"]!["WORKER_IMAGE"]);
        Assert.Equal(("api", "$API_IMAGE"), ((string)gitlab["image-api"]!["variables"]!["TARGET"]!, (string)gitlab["image-api"]!["variables"]!["IMAGE"]!));
        Assert.Equal(("worker", "$WORKER_IMAGE"), ((string)gitlab["image-worker"]!["variables"]!["TARGET"]!, (string)gitlab["image-worker"]!["variables"]!["IMAGE"]!));
        Assert.Contains("--tag $IMAGE:sha-$CI_COMMIT_SHA", Lines(gitlab[".image"]!["script"]));
        Assert.Contains("deploy/kubernetes/deploy.sh production \"$API_IMAGE:sha-$CI_COMMIT_SHA\" \"$WORKER_IMAGE:sha-$CI_COMMIT_SHA\"", Lines(gitlab["deploy-production"]!["script"]));

        // Each target is a stage of the Dockerfile (issue 15's; this branch may predate it).
        var dockerfile = Path.Combine(Repository, "Dockerfile");
        if (File.Exists(dockerfile))
        {
            var stages = Regex.Matches(File.ReadAllText(dockerfile), @"^FROM\s+\S+\s+AS\s+(\S+)", RegexOptions.Multiline | RegexOptions.IgnoreCase).Select(m => m.Groups[1].Value);
            Assert.Superset(targets.ToHashSet(), stages.ToHashSet());
        }

        // The manifests name exactly those images, and deploy.sh replaces every one of them.
        foreach (var overlay in Overlays)
        {
            Assert.Equal(["shop-api", "shop-worker"], Render(overlay).ShopContainers().Select(x => x.Container.ImageName()).Distinct().Order());
        }

        var deployed = RenderForDeploy("production", "ghcr.io/acme/shop-api:sha-0123abc", "ghcr.io/acme/shop-worker:sha-0123abc");
        Assert.Equal(["ghcr.io/acme/shop-api:sha-0123abc", "ghcr.io/acme/shop-api:sha-0123abc", "ghcr.io/acme/shop-worker:sha-0123abc"],
            deployed.ShopContainers().Select(x => (string)x.Container["image"]!).Order());
    }

    [Fact]
    public void The_PrometheusRule_holds_the_same_rules_as_alerts_yaml()
    {
        var rule = ReadYaml("deploy", "kubernetes", "components", "monitoring", "prometheus-rule.yaml");
        var alerts = ReadYaml("deploy", "observability", "alerts.yaml");
        Assert.Equal(alerts["groups"]!.ToJsonString(), rule["spec"]!["groups"]!.ToJsonString());
        Assert.NotEmpty(alerts["groups"]!.AsArray());
    }

    [Fact]
    public void ServiceMonitors_scrape_the_metrics_port_of_the_Services_the_alerts_name_as_jobs()
    {
        var monitors = ParseAll(File.ReadAllText(Path.Combine(KubernetesDirectory, "components", "monitoring", "service-monitors.yaml")));
        var services = Render("production").OfKind("Service").ToList();
        var alerts = File.ReadAllText(Path.Combine(Repository, "deploy", "observability", "alerts.yaml"));
        Assert.Equal(2, monitors.Count);
        foreach (var monitor in monitors)
        {
            var service = services.Single(s => monitor["spec"]!["selector"]!["matchLabels"]!.AsObject().All(l => (string?)s["metadata"]!["labels"]![l.Key] == (string?)l.Value));
            Assert.Contains(service["spec"]!["ports"]!.AsArray(), p => (string?)p!["name"] == (string?)monitor["spec"]!["endpoints"]![0]!["port"]);
            Assert.Contains($"job=\"{service.Name()}\"", alerts); // the Prometheus Operator names the job after the Service
        }
    }

    /// <summary>
    /// An environment variable the app reads: <c>Section__Key</c> where an options class with that
    /// <c>Section</c> has the property, a <c>ConnectionStrings__Name</c> the code asks for, a
    /// <c>"Section:Key"</c> the code reads by name, or a variable of the platform the app runs on.
    /// </summary>
    private static bool IsSettingTheAppReads(string name)
    {
        var parts = name.Split("__");
        if (parts.Length == 1)
        {
            return PlatformVariables.Contains(name);
        }

        var key = string.Join(':', parts);
        if (parts[0] == "ConnectionStrings")
        {
            return Regex.IsMatch(Sources, $@"GetConnectionString\(""{Regex.Escape(parts[1])}""\)|ConnectionStringName = ""{Regex.Escape(parts[1])}""");
        }

        return (parts.Length == 2 && OptionsProperties.Contains((parts[0], parts[1]))) || Sources.Contains($"\"{key}\"", StringComparison.Ordinal);
    }

    /// <summary>Read by ASP.NET Core's host (environment, forwarded headers, the shutdown timeout) and the OpenTelemetry SDK (README, "Traces").</summary>
    private static readonly HashSet<string> PlatformVariables =
        ["ASPNETCORE_ENVIRONMENT", "ASPNETCORE_FORWARDEDHEADERS_ENABLED", "shutdownTimeoutSeconds", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_SERVICE_NAME"];

    private static readonly string Sources = string.Join('\n', Directory.EnumerateFiles(Path.Combine(Repository, "src"), "*.cs", SearchOption.AllDirectories)
        .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
        .Select(File.ReadAllText));

    /// <summary>(Section, Property) of every options class: a type with <c>const string Section</c>.</summary>
    private static readonly HashSet<(string, string)> OptionsProperties = [.. new[] { typeof(ErrorHandling).Assembly, typeof(Shop.Core.Data.DatabaseOptions).Assembly }
        .SelectMany(a => a.GetTypes())
        .Select(t => (Type: t, Section: t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } f ? f.GetRawConstantValue() as string : null))
        .Where(x => x.Section is not null)
        .SelectMany(x => x.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => (x.Section!, p.Name)))];

    private static string Lines(JsonNode? script) => string.Join('\n', script!.AsArray().Select(line => (string)line!));

    /// <summary>The optional keys the Secret template shows commented out ("# Sentry__Dsn: ...").</summary>
    private static IEnumerable<string> SecretTemplateCommentedKeys() =>
        Regex.Matches(File.ReadAllText(Path.Combine(KubernetesDirectory, "examples", "secret.template.yaml")), @"^  # ([A-Za-z]+__[A-Za-z]+):", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value);
}

/// <summary>The probes' paths answer on a real API (on SQLite: the paths, not the dependencies, are under test).</summary>
[Collection(SqliteCollection.Name), Trait("Category", "Kubernetes")]
public sealed class KubernetesProbePathTests(SqliteShop shop)
{
    private static readonly string[] Probes = ["startupProbe", "readinessProbe", "livenessProbe"];

    [Fact]
    public async Task Every_probe_path_of_the_manifests_answers_200_on_the_API()
    {
        var paths = Overlays.SelectMany(Render).ShopContainers()
            .SelectMany(x => Probes.Select(p => x.Container[p]?["httpGet"]?["path"]?.ToString()))
            .OfType<string>().Distinct().Order().ToList();
        Assert.Equal(["/health/live", "/health/ready"], paths);
        var client = shop.Client();
        foreach (var path in paths)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
        }
    }
}
