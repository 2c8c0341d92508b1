using Classifier.Feedback;
using Classifier.Images;
using Classifier.Serving;
using Classifier.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Classifier.Tests.DependencyInjection;

/// <summary>The stores that <c>AddImageClassifier</c> registers, and that an app's own registrations replace them.</summary>
public sealed class ClassifierServiceCollectionExtensionsTests
{
    [Fact]
    public void AddImageClassifier_ByDefault_RegistersTheSqliteFeedbackStoreOverFileImagesInStatePath()
    {
        using var state = new TemporaryDirectory("di");
        using var provider = Services(state.Path).BuildServiceProvider();

        var images = provider.GetRequiredService<IImageStore>();
        var feedback = provider.GetRequiredService<IFeedbackStore>();

        Assert.Equal(Path.Combine(state.Path, "images"), Assert.IsType<FileImageStore>(images).Root);
        Assert.IsType<SqliteFeedbackStore>(feedback);
    }

    [Fact]
    public async Task AddImageClassifier_AfterTheAppRegisteredAnImageStore_TheFeedbackStoreKeepsImagesInIt()
    {
        using var state = new TemporaryDirectory("di");
        var images = new FileImageStore(Path.Combine(state.Path, "elsewhere"), TestKeys.NewRing());
        var services = new ServiceCollection().AddSingleton<IImageStore>(images);
        await using var provider = Services(state.Path, services).BuildServiceProvider();
        var image = TestImages.Png(3, 3, SkiaSharp.SKColors.Teal);
        var hash = ContentHash.Of(image);

        await provider.GetRequiredService<IFeedbackStore>().LogPredictionAsync(new Prediction("cat", 0.5f, [], "v1", hash), image);

        Assert.Same(images, provider.GetRequiredService<IImageStore>());
        Assert.Equal(Classifier.Privacy.ImageDeidentifier.Strip(image), await images.ReadAsync(hash));
        Assert.False(Directory.Exists(Path.Combine(state.Path, "images")));
    }

    [Fact]
    public void AddImageClassifier_AfterTheAppRegisteredAFeedbackStore_KeepsTheAppsStore()
    {
        using var state = new TemporaryDirectory("di");
        using var own = new SqliteFeedbackStore(Path.Combine(state.Path, "own"), TimeProvider.System);
        var services = new ServiceCollection().AddSingleton<IFeedbackStore>(own);

        using var provider = Services(state.Path, services).BuildServiceProvider();

        Assert.Same(own, provider.GetRequiredService<IFeedbackStore>());
    }

    [Fact]
    public void AddImageClassifier_WithProviderPostgreSql_RegistersThePostgreSqlStoresOnTheConnectionStringsSetting()
    {
        using var state = new TemporaryDirectory("di");
        var configuration = new Dictionary<string, string?>
        {
            ["Classifier:Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:Classifier"] = "Host=db.example;Database=classifier;Username=classifier",
            ["Classifier:Storage:EncryptionKey"] = TestKeys.NewKeyText(),
        };
        using var provider = Services(state.Path, configuration: configuration).BuildServiceProvider();

        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClassifierOptions>>().Value;

        Assert.Equal("Host=db.example;Database=classifier;Username=classifier", options.Storage.ConnectionString);
        Assert.IsType<PostgreSqlFeedbackStore>(provider.GetRequiredService<IFeedbackStore>());
        Assert.IsType<PostgreSqlImageStore>(provider.GetRequiredService<IImageStore>());
        Assert.IsType<Classifier.Experiments.PostgreSqlExperimentSettingsStore>(provider.GetRequiredService<Classifier.Experiments.IExperimentSettingsStore>());
        Assert.IsType<Classifier.Registry.PostgreSqlModelRegistry>(provider.GetRequiredService<Classifier.Registry.IModelRegistry>());
        Assert.False(Directory.Exists(Path.Combine(state.Path, "images"))); // nothing opened on disk
    }

    [Fact]
    public void AddImageClassifier_WithProviderPostgreSqlAndNoConnectionString_FailsAtStartNamingTheSetting()
    {
        using var state = new TemporaryDirectory("di");
        using var provider = Services(state.Path, configuration: new Dictionary<string, string?> { ["Classifier:Storage:Provider"] = "PostgreSql" }).BuildServiceProvider();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClassifierOptions>>().Value);

        Assert.Contains("ConnectionStrings__Classifier", error.Message);
    }

    [Fact]
    public void AddImageClassifier_WithProviderPostgreSqlAndNoEncryptionKey_FailsAtStartNamingTheSetting()
    {
        using var state = new TemporaryDirectory("di");
        var configuration = new Dictionary<string, string?>
        {
            ["Classifier:Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:Classifier"] = "Host=db.example;Database=classifier;Username=classifier",
        };
        using var provider = Services(state.Path, configuration: configuration).BuildServiceProvider();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClassifierOptions>>().Value);

        Assert.Contains("Classifier__Storage__EncryptionKey", error.Message);
        Assert.False(File.Exists(Path.Combine(state.Path, Classifier.Privacy.EncryptionKeyRing.KeyFileName)), "a replica never makes a key of its own");
    }

    private static IServiceCollection Services(string statePath, IServiceCollection? services = null, IDictionary<string, string?>? configuration = null)
    {
        services ??= new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(configuration ?? new Dictionary<string, string?>()).Build());
        services.AddLogging(); // the workspace (and the registry it chooses) logs, as in any host
        services.AddImageClassifier(o => o.StatePath = statePath);
        return services;
    }
}
