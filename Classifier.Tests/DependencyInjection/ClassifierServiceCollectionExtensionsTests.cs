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
        var images = new FileImageStore(Path.Combine(state.Path, "elsewhere"));
        var services = new ServiceCollection().AddSingleton<IImageStore>(images);
        await using var provider = Services(state.Path, services).BuildServiceProvider();
        byte[] image = [.. "an image"u8];
        var hash = ContentHash.Of(image);

        await provider.GetRequiredService<IFeedbackStore>().LogPredictionAsync(new Prediction("cat", 0.5f, [], "v1", hash), image);

        Assert.Same(images, provider.GetRequiredService<IImageStore>());
        Assert.Equal(image, await images.ReadAsync(hash));
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

    private static IServiceCollection Services(string statePath, IServiceCollection? services = null)
    {
        services ??= new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddImageClassifier(o => o.StatePath = statePath);
        return services;
    }
}
