using Classifier.DependencyInjection;
using Classifier.Feedback;
using Classifier.Registry;
using Classifier.Serving;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the serving classifier: the hot-reloaded <see cref="IImageClassifier"/>, its status, the feedback and image stores and the background services.</summary>
public static class ClassifierServiceCollectionExtensions
{
    /// <summary>Adds the classifier with options bound from the <c>Classifier</c> configuration section. Safe to call twice.</summary>
    public static IImageClassifierBuilder AddImageClassifier(this IServiceCollection services) => AddImageClassifierCore(services, null);

    /// <summary>Adds the classifier, then applies <paramref name="configure"/> over the bound configuration. Safe to call twice.</summary>
    public static IImageClassifierBuilder AddImageClassifier(this IServiceCollection services, Action<Classifier.ClassifierOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddImageClassifierCore(services, configure);
    }

    private static ImageClassifierBuilder AddImageClassifierCore(IServiceCollection services, Action<Classifier.ClassifierOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<Classifier.ClassifierOptions>().BindConfiguration(Classifier.ClassifierOptions.SectionName).ValidateOnStart();
        if (configure is not null)
            services.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Classifier.ClassifierOptions>, ClassifierOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(sp => new Classifier.ClassifierWorkspace(sp.GetRequiredService<IOptions<Classifier.ClassifierOptions>>().Value.ToWorkspaceOptions()));
        services.TryAddSingleton<ModelRegistry>(sp => sp.GetRequiredService<Classifier.ClassifierWorkspace>().Registry);
        services.TryAddSingleton(sp => new PredictionCache(sp.GetRequiredService<IOptions<Classifier.ClassifierOptions>>().Value.PredictionCacheSize));
        services.TryAddSingleton<ModelServer>();
        services.TryAddSingleton<IImageClassifier>(sp => sp.GetRequiredService<ModelServer>());
        services.TryAddSingleton<IModelStatus>(sp => sp.GetRequiredService<ModelServer>());
        // An app replaces either store by registering its own first.
        services.TryAddSingleton<IImageStore>(sp => FileImageStore.InStatePath(sp.GetRequiredService<IOptions<Classifier.ClassifierOptions>>().Value.StatePath));
        services.TryAddSingleton<IFeedbackStore>(sp => new SqliteFeedbackStore(
            sp.GetRequiredService<IOptions<Classifier.ClassifierOptions>>().Value.StatePath, sp.GetRequiredService<IImageStore>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new ExperimentSettingsFile(sp.GetRequiredService<IOptions<Classifier.ClassifierOptions>>().Value.StatePath));
        services.TryAddSingleton(sp => new ShadowQueue(sp.GetRequiredService<IOptions<Classifier.ClassifierOptions>>().Value.ShadowQueueCapacity));
        services.TryAddSingleton<IShadowScorer, HeadShadowScorer>();
        services.TryAddSingleton<ExperimentRouter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ModelReloadService>());
        // After the reload service: experiments are restored once the current version is loaded.
        services.TryAddSingleton<ExperimentService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ExperimentService>(sp => sp.GetRequiredService<ExperimentService>()));
        // After the experiment service: the canary is judged once the experiments are restored.
        services.TryAddSingleton<CanaryService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CanaryService>(sp => sp.GetRequiredService<CanaryService>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, InitialTrainingService>());
        return new ImageClassifierBuilder(services);
    }
}
