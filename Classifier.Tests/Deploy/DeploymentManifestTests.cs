using System.Diagnostics;
using System.Globalization;
using Classifier.Host;
using Classifier.Storage;
using Classifier.Tests.Host;
using Classifier.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;
using static Classifier.Tests.Deploy.KubernetesManifests;

namespace Classifier.Tests.Deploy;

/// <summary>
/// <c>deploy/</c> against the code, since no container engine or cluster runs here: the ports, the probes' paths, every
/// environment variable, the entry point, the shutdown budget, the autoscaler, and the Secret's placeholders; the host
/// started with them is in <c>DeploymentManifestTests.Host.cs</c>.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed partial class DeploymentManifestTests(SampleFixture sample)
{
    private const string PlaceholderMarker = "REPLACE-ME";
    private readonly DockerfileText _dockerfile = DockerfileText.Load();
    private readonly KubernetesManifests _manifests = KubernetesManifests.Load();

    private YamlMappingNode Deployment => _manifests.Single("Deployment", "classifier");

    private YamlNode ServiceContainer => Sequence(Deployment, "spec", "template", "spec", "containers").Single(c => Text(c, "name") == "classifier");

    private IReadOnlyDictionary<string, string> ConfigMap => Map(_manifests.Single("ConfigMap", "classifier-config"), "data");

    private IReadOnlyDictionary<string, string> Secret => Map(_manifests.Single("Secret", "classifier-secrets"), "stringData");

    [Fact]
    public void Kustomization_ListsEveryManifestInTheFolder()
    {
        var files = Directory.EnumerateFiles(Folder, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml");

        Assert.Equal(files.Order(), _manifests.Resources.Order());
    }

    [Fact]
    public void ContainerPort_IsThePortTheImageListensOn()
    {
        int listening = int.Parse(_dockerfile.RuntimeEnvironment["ASPNETCORE_HTTP_PORTS"], CultureInfo.InvariantCulture);
        var port = Assert.Single(Sequence(ServiceContainer, "ports"));
        var service = _manifests.Single("Service", "classifier");

        Assert.Equal(listening, int.Parse(Text(port, "containerPort")!, CultureInfo.InvariantCulture));
        Assert.Equal([listening], _dockerfile.ExposedPorts);
        Assert.Equal(Text(port, "name"), Text(Assert.Single(Sequence(service, "spec", "ports")), "targetPort"));
        Assert.Equal(Map(Deployment, "spec", "template", "metadata", "labels"), Map(service, "spec", "selector"));
        Assert.Contains("/dev/tcp/127.0.0.1/${ASPNETCORE_HTTP_PORTS}", _dockerfile.HealthCheck[^1]);
        Assert.Contains("GET /healthz ", _dockerfile.HealthCheck[^1]);
    }

    [Fact]
    public void EntryPoint_RunsThePublishedHostAssembly()
    {
        Assert.Equal(["dotnet", typeof(ServiceOptions).Assembly.GetName().Name + ".dll"], _dockerfile.EntryPoint);
    }

    [Fact]
    public void EveryEnvironmentVariable_BindsToARealSetting()
    {
        var containers = Sequence(Deployment, "spec", "template", "spec", "containers")
            .Concat(Sequence(Deployment, "spec", "template", "spec", "initContainers"));
        var variables = _dockerfile.RuntimeEnvironment.Keys
            .Concat(ConfigMap.Keys)
            .Concat(Secret.Keys)
            .Concat(containers.SelectMany(c => Sequence(c, "env")).Select(e => Text(e, "name")!))
            .Distinct()
            .ToList();

        Assert.Equal([], variables.Where(v => !SettingNames.Binds(v)));
        Assert.Contains("Classifier__ShutdownDrain", variables);
        Assert.False(SettingNames.Binds("Classifier__Storage__NoSuchSetting"), "the check must be able to fail");
        Assert.False(SettingNames.Binds("Classifier__Storage"), "a section is not a setting");
    }

    [Fact]
    public void Settings_OfTheImageAndTheManifests_AreValidOptions()
    {
        var configuration = Configuration(ConfigMap, OperatorSecrets());
        var options = configuration.GetSection(ClassifierOptions.SectionName).Get<ClassifierOptions>()!;
        options.Storage.ConnectionString = configuration.GetConnectionString(StorageOptions.ConnectionStringName);

        Assert.Empty(options.Problems());
        Assert.Equal(StorageProvider.PostgreSql, options.Storage.Provider);
        Assert.Equal("/app/data/fashion-mnist", options.Dataset);
        Assert.Equal("/app", Assert.Single(_dockerfile.Instructions, i => i.Instruction == "WORKDIR" && i.Arguments.StartsWith("/app", StringComparison.Ordinal)).Arguments);
        Assert.Contains(("COPY", "data/fashion-mnist/ data/fashion-mnist/"), _dockerfile.Instructions);
    }

    [Fact]
    public void Shutdown_PreStopDrainAndRequestTimeout_FitInTheGracePeriod()
    {
        var options = Configuration(ConfigMap).GetSection(ClassifierOptions.SectionName);
        var preStop = Sequence(ServiceContainer, "lifecycle", "preStop", "exec", "command").Select(Scalar).ToList();
        var grace = TimeSpan.FromSeconds(int.Parse(Text(Deployment, "spec", "template", "spec", "terminationGracePeriodSeconds")!, CultureInfo.InvariantCulture));

        Assert.Equal("sleep", preStop[0]);
        var stopping = TimeSpan.FromSeconds(int.Parse(preStop[1], CultureInfo.InvariantCulture))
            + options.GetValue<TimeSpan>(nameof(ClassifierOptions.ShutdownDrain))
            + options.GetValue<TimeSpan>(nameof(ServiceOptions.ShutdownTimeout));
        Assert.True(options.GetValue<TimeSpan>(nameof(ClassifierOptions.ShutdownDrain)) > TimeSpan.Zero, "the drain is what fails readiness before the server stops accepting");
        Assert.True(stopping <= grace, $"preStop + ShutdownDrain + ShutdownTimeout is {stopping}, past terminationGracePeriodSeconds ({grace}): the kubelet would SIGKILL requests in flight");
    }

    [Fact]
    public void Deployment_HasThreeReplicasProbesResourcesAndItsConfiguration()
    {
        var container = ServiceContainer;
        var startup = Node(container, "startupProbe")!;
        var startupBudget = TimeSpan.FromSeconds(int.Parse(Text(startup, "periodSeconds")!, CultureInfo.InvariantCulture) * int.Parse(Text(startup, "failureThreshold")!, CultureInfo.InvariantCulture));
        var envFrom = Sequence(container, "envFrom").ToList();

        Assert.Equal("3", Text(Deployment, "spec", "replicas"));
        Assert.Equal("/healthz", Text(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal("/readyz", Text(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/readyz", Text(startup, "httpGet", "path"));
        Assert.True(startupBudget >= TimeSpan.FromMinutes(10), $"the startup probe gives the first model {startupBudget}");
        foreach (string kind in new[] { "requests", "limits" })
        {
            Assert.NotNull(Text(container, "resources", kind, "cpu"));
            Assert.NotNull(Text(container, "resources", kind, "memory"));
        }
        Assert.Contains("classifier-config", envFrom.Select(e => Text(e, "configMapRef", "name")));
        Assert.Contains("classifier-secrets", envFrom.Select(e => Text(e, "secretRef", "name")));
        Assert.Equal("PostgreSql", ConfigMap["Classifier__Storage__Provider"]);
        Assert.Equal("1654", Text(Deployment, "spec", "template", "spec", "securityContext", "runAsUser"));
    }

    [Fact]
    public void Probes_SendAHostNameTheServiceAdmits()
    {
        var allowed = ConfigMap["AllowedHosts"].Split(';');
        var probeHosts = new[] { "livenessProbe", "readinessProbe", "startupProbe" }
            .Select(probe => Text(Assert.Single(Sequence(ServiceContainer, probe, "httpGet", "httpHeaders"), h => Text(h, "name") == "Host"), "value")!);

        Assert.All(probeHosts, host => Assert.Contains(host, allowed));
        Assert.Contains(Text(_manifests.Single("Service", "classifier"), "metadata", "name"), allowed);
    }

    [Fact]
    public void Autoscaler_ScalesTheDeploymentOnCpu70From2To10()
    {
        var autoscaler = Assert.Single(_manifests.OfKind("HorizontalPodAutoscaler"));
        var metric = Assert.Single(Sequence(autoscaler, "spec", "metrics"));

        Assert.Equal("autoscaling/v2", Text(autoscaler, "apiVersion"));
        Assert.Equal(Text(Deployment, "kind"), Text(autoscaler, "spec", "scaleTargetRef", "kind"));
        Assert.Equal(Text(Deployment, "metadata", "name"), Text(autoscaler, "spec", "scaleTargetRef", "name"));
        Assert.Equal(("2", "10"), (Text(autoscaler, "spec", "minReplicas"), Text(autoscaler, "spec", "maxReplicas")));
        Assert.Equal("cpu", Text(metric, "resource", "name"));
        Assert.Equal(("Utilization", "70"), (Text(metric, "resource", "target", "type"), Text(metric, "resource", "target", "averageUtilization")));
    }

    [Fact]
    public void PostgreSql_StatefulSetKeepsItsDataOnAClaimBehindTheServiceTheConnectionStringNames()
    {
        var statefulSet = Assert.Single(_manifests.OfKind("StatefulSet"));
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(Secret["ConnectionStrings__Classifier"]);
        var claim = Assert.Single(Sequence(statefulSet, "spec", "volumeClaimTemplates"));

        Assert.Equal(Text(statefulSet, "spec", "serviceName"), connection.Host);
        Assert.NotNull(_manifests.Single("Service", connection.Host!));
        Assert.Contains(Text(claim, "metadata", "name"), Sequence(statefulSet, "spec", "template", "spec", "containers").SelectMany(c => Sequence(c, "volumeMounts")).Select(m => Text(m, "name")));
    }

    [Fact]
    public void MigrateInitContainer_RunsTheHostsMigrateVerb()
    {
        var init = Assert.Single(Sequence(Deployment, "spec", "template", "spec", "initContainers"));
        var args = Sequence(init, "args").Select(Scalar).ToList();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(RepositoryPaths.HostAssembly);
        foreach (string arg in args.Append("--help"))
            start.ArgumentList.Add(arg);

        using var verb = Process.Start(start)!;
        string help = verb.StandardOutput.ReadToEnd();
        verb.WaitForExit();

        Assert.Equal(Text(ServiceContainer, "image"), Text(init, "image"));
        Assert.Equal(["migrate"], args);
        Assert.Equal(0, verb.ExitCode);
        Assert.Contains("PostgreSQL", help);
    }

    [Fact]
    public void Secret_HoldsOnlyMarkedPlaceholders_AndTheServiceRefusesToStartWithThem()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        // The encryption key's placeholder is not a key at all: the library refuses it first, naming the setting only.
        using (var asShipped = scope.Factory(ManifestSettings(Secret)))
        {
            var keyError = Assert.ThrowsAny<Microsoft.Extensions.Options.OptionsValidationException>(() => asShipped.CreateClient());
            Assert.Contains("Classifier:Storage:EncryptionKey", keyError.Message);
            Assert.DoesNotContain(Secret[EncryptionKeySetting], keyError.Message);
        }
        var withKey = Secret.ToDictionary(pair => pair.Key, pair => pair.Key == EncryptionKeySetting ? NewKey() : pair.Value);
        using var factory = scope.Factory(ManifestSettings(withKey));

        var error = Assert.ThrowsAny<Microsoft.Extensions.Options.OptionsValidationException>(() => factory.CreateClient());

        Assert.All(Secret.Values, value => Assert.Contains(PlaceholderMarker, value));
        Assert.All(Secret.Keys.Where(key => key != EncryptionKeySetting), key => Assert.Contains($"{SettingNames.ConfigurationKey(key)} still holds the placeholder", error.Message));
        Assert.All(error.Failures, failure => Assert.Contains("placeholder", failure));
        Assert.DoesNotContain(Secret["Classifier__AdminApiKey"], error.Message);
    }

    private const string EncryptionKeySetting = "Classifier__Storage__EncryptionKey";

    private static string NewKey() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>The Secret as an operator fills it: every placeholder replaced, the encryption key a real one.</summary>
    private Dictionary<string, string> OperatorSecrets()
    {
        var secrets = Secret.ToDictionary(pair => pair.Key, pair => pair.Value.Replace(PlaceholderMarker, "operator-chosen", StringComparison.Ordinal));
        secrets[EncryptionKeySetting] = NewKey();
        return secrets;
    }

    /// <summary>The image's environment, then each set of variables over it, as the container sees them.</summary>
    private IConfiguration Configuration(params IReadOnlyDictionary<string, string>[] variables) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(_dockerfile.RuntimeEnvironment.Concat(variables.SelectMany(v => v))
                .Select(pair => KeyValuePair.Create(SettingNames.ConfigurationKey(pair.Key), (string?)pair.Value)))
            .Build();
}
