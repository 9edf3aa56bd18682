using System.Text.Json;
using System.Text.Json.Nodes;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>
/// The OpenAPI document is the contract clients read. The copy committed at docs/openapi/v1.json
/// (linted, and compiled into a typed client, by scripts/test.sh) must be what the API serves; and
/// every status a test receives must be declared (see <see cref="DeclaredResponses"/>).
/// </summary>
[Collection(SqliteCollection.Name)]
public sealed class OpenApiDocumentTests(SqliteShop shop)
{
    /// <summary>Set to 1 to rewrite docs/openapi/v1.json from the running API instead of comparing.</summary>
    public const string UpdateVariable = "SHOP_UPDATE_OPENAPI";

    /// <summary>Where a client developer runs the API locally (the README's first command).</summary>
    private const string LocalServer = "http://localhost:5080";

    [Fact]
    public async Task The_committed_document_is_the_one_the_api_serves()
    {
        var served = await CommittedFormAsync();
        var path = Path.Combine(RepositoryRoot(), "docs", "openapi", "v1.json");
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, served);
        }

        Assert.True(File.Exists(path), $"{path} is missing: run {UpdateVariable}=1 bash scripts/test.sh --filter OpenApiDocumentTests");
        var committed = (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n");
        Assert.True(committed == served,
            $"docs/openapi/v1.json differs from what the API serves: run {UpdateVariable}=1 bash scripts/test.sh --filter OpenApiDocumentTests and commit the result.");
    }

    [Fact]
    public async Task Every_operation_declares_its_problem_responses_security_and_rate_limit()
    {
        var document = await shop.OpenApiDocumentAsync();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var name = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                var responses = operation.Value.GetProperty("responses");
                var tooMany = responses.GetProperty("429");
                Assert.True(tooMany.GetProperty("headers").TryGetProperty("Retry-After", out _), $"{name}: 429 without Retry-After");
                Assert.True(tooMany.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{name}: 429 is not a problem");

                if (operation.Value.GetProperty("security").GetArrayLength() > 0)
                {
                    Assert.True(responses.TryGetProperty("401", out _), $"{name}: needs a token but does not declare 401");
                }
                else
                {
                    Assert.False(responses.TryGetProperty("403", out _), $"{name}: declares 403 but needs no token");
                }
                if (path.Name.Contains('{', StringComparison.Ordinal))
                {
                    Assert.True(responses.TryGetProperty("404", out _), $"{name}: no 404 for a path that names a resource");
                }

                if (operation.Value.TryGetProperty("requestBody", out var body))
                {
                    Assert.True(body.GetProperty("content").GetProperty("application/json").TryGetProperty("example", out _), $"{name}: no request example");
                    foreach (var status in new[] { "400", "413", "415" })
                    {
                        Assert.True(responses.TryGetProperty(status, out _), $"{name}: takes a body but does not declare {status}");
                    }
                }

                foreach (var created in new[] { "201", "202" })
                {
                    if (responses.TryGetProperty(created, out var response))
                    {
                        Assert.True(response.GetProperty("headers").TryGetProperty("Location", out _), $"{name}: {created} without Location");
                    }
                }

                foreach (var parameter in operation.Value.TryGetProperty("parameters", out var parameters) ? parameters.EnumerateArray() : [])
                {
                    if (parameter.GetProperty("in").GetString() == "query")
                    {
                        var parameterName = parameter.GetProperty("name").GetString()!;
                        Assert.True(char.IsLower(parameterName[0]), $"{name}: query parameter '{parameterName}' is not camelCase");
                    }
                }
            }
        }
    }

    [Fact]
    public async Task The_test_host_names_the_operation_of_each_answer_and_an_undeclared_status_is_caught()
    {
        var user = await shop.NewUserAsync();
        var me = await user.Client.GetAsync("/api/v1/users/me");
        Assert.Equal("GET /api/v1/users/me", me.Headers.GetValues(OperationHeaderFilter.Header).Single());
        var address = await user.Client.GetAsync($"/api/v1/users/me/addresses/{Guid.NewGuid()}");
        Assert.Equal("GET /api/v1/users/me/addresses/{id}", address.Headers.GetValues(OperationHeaderFilter.Header).Single());
        var unknownRoute = await user.Client.GetAsync("/api/v1/nowhere");
        Assert.False(unknownRoute.Headers.Contains(OperationHeaderFilter.Header));

        var declared = DeclaredResponses.Parse(await shop.OpenApiDocumentAsync());
        Assert.Null(declared.Check("GET /api/v1/users/me", 200));
        Assert.Null(declared.Check("GET /api/v1/users/me/addresses/{id}", 404));
        Assert.NotNull(declared.Check("GET /api/v1/users/me", 409));
        Assert.NotNull(declared.Check("GET /api/v1/nowhere", 200));
    }

    [Fact]
    public async Task Optional_request_fields_are_not_required()
    {
        var schemas = (await shop.OpenApiDocumentAsync()).GetProperty("components").GetProperty("schemas");
        string[] Required(string schema) => schemas.GetProperty(schema).GetProperty("required").EnumerateArray().Select(e => e.GetString()!).ToArray();

        Assert.Equal(["items"], Required("PlaceOrderRequest"));
        // price: required unless the product is created with its variants (the validator says which).
        Assert.Equal(["sku", "name"], Required("ProductRequest"));
        Assert.Equal(["sku", "price"], Required("VariantRequest"));
        Assert.Equal(["email", "password", "fullName"], Required("RegisterRequest"));
        // Responses carry every field, null or not.
        Assert.Contains("shippingAddress", Required("OrderResponse"));
    }

    /// <summary>The served document, with the local server as its base URL and stable formatting.</summary>
    private async Task<string> CommittedFormAsync()
    {
        var document = JsonNode.Parse((await shop.OpenApiDocumentAsync()).GetRawText())!.AsObject();
        document["servers"] = new JsonArray(new JsonObject { ["url"] = LocalServer, ["description"] = "dotnet run --project src/Shop.Api" });
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true, IndentSize = 2 }) + "\n";
    }

    private static string RepositoryRoot()
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
