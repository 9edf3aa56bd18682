using System.Diagnostics;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>
/// deploy/kubernetes rendered as kubectl applies it (<c>kubectl kustomize</c>), and the pipelines'
/// files, as JSON nodes. YAML scalars stay strings ("2", "true"): <see cref="Number"/> reads numbers.
/// </summary>
public static class KubernetesManifests
{
    public static readonly string Repository = FindRepository();

    public static string KubernetesDirectory => Path.Combine(Repository, "deploy", "kubernetes");

    public static IReadOnlyList<string> Overlays { get; } =
        Directory.GetDirectories(Path.Combine(KubernetesDirectory, "overlays")).Select(Path.GetFileName).Order().ToList()!;

    public static IReadOnlyList<JsonObject> Render(string overlay) =>
        ParseAll(Run("kubectl", "kustomize", Path.Combine(KubernetesDirectory, "overlays", overlay)));

    /// <summary>What deploy.sh would apply: the overlay with the pipeline's images.</summary>
    public static IReadOnlyList<JsonObject> RenderForDeploy(string overlay, string apiImage, string workerImage) =>
        ParseAll(Run("bash", Path.Combine(KubernetesDirectory, "deploy.sh"), "--render", overlay, apiImage, workerImage));

    public static JsonObject ReadYaml(params string[] path) => ParseAll(File.ReadAllText(Path.Combine([Repository, .. path]))).Single();

    public static IReadOnlyList<JsonObject> ParseAll(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var deserializer = new DeserializerBuilder().Build();
        parser.Consume<StreamStart>();
        var documents = new List<JsonObject>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (ToJson(deserializer.Deserialize<object?>(parser)) is JsonObject document)
            {
                documents.Add(document);
            }
        }

        return documents;
    }

    public static int Number(JsonNode? node) => int.Parse(node?.ToString() ?? throw new InvalidOperationException("missing number"));

    public static IEnumerable<JsonObject> OfKind(this IEnumerable<JsonObject> objects, string kind) =>
        objects.Where(o => (string?)o["kind"] == kind);

    public static JsonObject Named(this IEnumerable<JsonObject> objects, string kind, string name) =>
        objects.OfKind(kind).Single(o => (string?)o["metadata"]!["name"] == name);

    public static string Name(this JsonObject o) => (string)o["metadata"]!["name"]!;

    /// <summary>The pod template of a Deployment, a StatefulSet or a Job.</summary>
    public static JsonObject PodSpec(this JsonObject workload) => workload["spec"]!["template"]!["spec"]!.AsObject();

    public static IEnumerable<JsonObject> Containers(this JsonObject workload) => workload.PodSpec()["containers"]!.AsArray().Select(c => c!.AsObject());

    /// <summary>The image's name without registry or tag: "ghcr.io/acme/shop-api:1.2" is "shop-api".</summary>
    public static string ImageName(this JsonObject container)
    {
        var image = (string)container["image"]!;
        var name = image[(image.LastIndexOf('/') + 1)..];
        return name.Split(':', '@')[0];
    }

    /// <summary>The shop's own containers (the API image and the worker image), in Deployments and Jobs.</summary>
    public static IEnumerable<(JsonObject Workload, JsonObject Container)> ShopContainers(this IEnumerable<JsonObject> objects) =>
        objects.Where(o => (string?)o["kind"] is "Deployment" or "Job" or "StatefulSet")
            .SelectMany(w => w.Containers().Select(c => (w, c)))
            .Where(x => x.Item2.ImageName() is "shop-api" or "shop-worker");

    /// <summary>Every environment variable a container gets: env, and envFrom's ConfigMaps and Secrets found among the objects.</summary>
    public static Dictionary<string, string?> Environment(this JsonObject container, IReadOnlyList<JsonObject> objects)
    {
        var environment = new Dictionary<string, string?>();
        foreach (var source in container["envFrom"]?.AsArray() ?? [])
        {
            var (kind, reference) = source!["configMapRef"] is { } c ? ("ConfigMap", c) : ("Secret", source["secretRef"]!);
            var found = objects.OfKind(kind).SingleOrDefault(o => o.Name() == (string)reference["name"]!);
            foreach (var (key, value) in found?["data"]?.AsObject() ?? [])
            {
                environment[key] = kind == "ConfigMap" ? value?.ToString() : "(secret)";
            }
        }

        foreach (var variable in container["env"]?.AsArray() ?? [])
        {
            environment[(string)variable!["name"]!] = variable["value"]?.ToString();
        }

        return environment;
    }

    public static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{file} is needed to render deploy/kubernetes (kubectl kustomize): {e.Message}", e);
        }

        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {error.Result}");
            }

            return output;
        }
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        Dictionary<object, object?> map => new JsonObject(map.Select(p => KeyValuePair.Create((string)p.Key, ToJson(p.Value)))),
        List<object?> list => new JsonArray(list.Select(ToJson).ToArray()),
        _ => JsonValue.Create(value.ToString()),
    };

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Shop.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Shop.slnx above {AppContext.BaseDirectory}.");
    }
}
