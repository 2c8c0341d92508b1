using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Classifier.Host;
using Classifier.Host.Apis;
using Classifier.Tests.Host;
using Classifier.Tests.Infrastructure;
using static Classifier.Tests.Deploy.KubernetesManifests;

namespace Classifier.Tests.Deploy;

/// <summary>The host started with what <c>deploy/</c> gives it: the probes' answers, and the port the image listens on.</summary>
public sealed partial class DeploymentManifestTests
{
    [Fact]
    public async Task ProbePaths_AreAnsweredByTheHost_WithTheManifestsSettingsAndRealSecrets()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        var secrets = OperatorSecrets();
        var settings = ManifestSettings(secrets);
        // No PostgreSQL here: the embedded store stands in; every other setting is the manifests'.
        settings["Classifier:Storage:Provider"] = "Sqlite";
        await using var factory = scope.Factory(settings);
        var client = factory.CreateClient();

        var answers = new Dictionary<string, HttpStatusCode>();
        foreach (string probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Text(ServiceContainer, probe, "httpGet", "path"));
            request.Headers.Host = Text(Sequence(ServiceContainer, probe, "httpGet", "httpHeaders").Single(), "value");
            var answer = await client.SendAsync(request);
            answers[probe] = answer.StatusCode;
            Assert.NotNull(await answer.Content.ReadFromJsonAsync<Health>());
        }

        Assert.Equal(HttpStatusCode.OK, answers["livenessProbe"]);
        // No model in this empty registry: ready is an answer, and it says no.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answers["readinessProbe"]);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answers["startupProbe"]);
    }

    [Fact]
    public async Task Image_ListensOnThePortItsEnvironmentNames()
    {
        using var folders = new TemporaryDirectory("image-port");
        int port = ProcessDurabilityTests.FreePort();
        var environment = new Dictionary<string, string>(_dockerfile.RuntimeEnvironment)
        {
            ["ASPNETCORE_HTTP_PORTS"] = port.ToString(CultureInfo.InvariantCulture),
            ["Classifier__ModelsPath"] = folders.Combine("models"),
            ["Classifier__StatePath"] = folders.Combine("state"),
            ["Classifier__TrainWhenNoModel"] = "false",
            ["Classifier__AdminApiKey"] = "operator-chosen-admin-key",
            ["AllowedHosts"] = ConfigMap["AllowedHosts"],
        };
        using var host = HostProcesses.Start([], environment);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            HttpResponseMessage alive = await AnswerAsync(client, host);

            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        }
        finally
        {
            if (!host.HasExited)
                host.Kill(entireProcessTree: true);
        }
    }

    /// <summary>The host's first answer to <c>/healthz</c> (Host: localhost), once it listens.</summary>
    internal static async Task<HttpResponseMessage> AnswerAsync(HttpClient client, Process host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            Assert.False(host.HasExited, "the host exited: it did not start with the image's environment");
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
                request.Headers.Host = "localhost";
                return await client.SendAsync(request, timeout.Token);
            }
            catch (HttpRequestException)
            {
                // Not listening yet: another process, so asking again is the only signal there is.
            }
            await Task.Delay(100, timeout.Token);
        }
    }

    /// <summary>The ConfigMap and the given secrets as the host's settings, with the image's listening port (paths stay the test's).</summary>
    private Dictionary<string, string?> ManifestSettings(IReadOnlyDictionary<string, string> secrets)
    {
        var settings = ConfigMap.Concat(secrets).ToDictionary(pair => SettingNames.ConfigurationKey(pair.Key), pair => (string?)pair.Value);
        settings[SettingNames.ConfigurationKey("ASPNETCORE_HTTP_PORTS")] = _dockerfile.RuntimeEnvironment["ASPNETCORE_HTTP_PORTS"];
        settings["Classifier:TrainWhenNoModel"] = "false";
        return settings;
    }
}
