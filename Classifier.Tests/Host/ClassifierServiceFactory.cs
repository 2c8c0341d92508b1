using System.Net;
using Classifier.Serving;
using Classifier.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Classifier.Tests.Host;

/// <summary>
/// The real host in memory: real SQLite files, real model folders, the real backbone. Each factory gets its own
/// models and state folders (or shares those it is given, for restart tests) and the sample's warmed embedding cache.
/// </summary>
internal sealed class ClassifierServiceFactory(SampleFixture sample, string modelsPath, string statePath, IDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    /// <summary>
    /// Every request appears to come from this address: loopback by default, as a caller on the same machine; null
    /// leaves the in-memory server's missing address, which the service never trusts as local.
    /// </summary>
    internal IPAddress? RemoteAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The secret that keys client arms in the tests' hosts, so that a test can place its callers.</summary>
    internal const string ClientAssignmentSecret = "tests-client-assignment-secret";

    internal string ModelsPath => modelsPath;

    internal ModelServer ModelServer => Services.GetRequiredService<ModelServer>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Classifier:ModelsPath", modelsPath);
        builder.UseSetting("Classifier:StatePath", statePath);
        builder.UseSetting("Classifier:EmbeddingCachePath", sample.CachePath);
        builder.UseSetting("Classifier:Dataset", sample.DatasetRoot);
        builder.UseSetting("Classifier:ReloadPollInterval", "00:00:00.250");
        builder.UseSetting("Classifier:ReloadDebounce", "00:00:00.050");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Classifier:ClientAssignmentSecret", ClientAssignmentSecret);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            builder.UseSetting(key, value);
        if (RemoteAddress is { } address)
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new RemoteAddressStartupFilter(address)));
    }

    /// <summary>Completes when <paramref name="version"/> is served (at once if it already is); throws when it fails to load or is not served in time.</summary>
    internal async Task WaitForVersionAsync(string version, TimeSpan? timeout = null)
    {
        var server = ModelServer;
        if (!await server.WhenServingAsync(version, timeout ?? TimeSpan.FromSeconds(60), CancellationToken.None))
            throw new TimeoutException($"{version} was not served (it failed to load, or not in time); serving {server.Current?.Version ?? "nothing"}, reason: {server.NotReadyReason}, last reload error: {server.LastReloadError}");
    }

    private sealed class RemoteAddressStartupFilter(IPAddress address) : IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use(nextMiddleware => context =>
            {
                context.Connection.RemoteIpAddress = address;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
