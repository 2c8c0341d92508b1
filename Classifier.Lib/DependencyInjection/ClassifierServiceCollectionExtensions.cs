using Classifier.DependencyInjection;
using Classifier.Experiments;
using Classifier.Feedback;
using Classifier.Learning;
using Classifier.Serving;
using Classifier.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the whole service, exactly as <c>Classifier.Host</c> serves it: predictions routed through the cache, the
/// cascade and the experiments and logged (<see cref="IPredictionService"/>), corrections (<see cref="IFeedbackService"/>),
/// promotion and rollback (<see cref="IModelLifecycle"/>), the experiments (<see cref="IExperimentService"/>), retraining
/// (<see cref="IRetrainService"/>), the served model's status (<see cref="IModelStatus"/>) and counters
/// (<see cref="IServingStatistics"/>), the stores, and the background services that reload, judge canaries, answer the
/// shadow and train the first model.
/// </summary>
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
        // The connection string lives with the others (ConnectionStrings:Classifier), outside the Classifier section.
        services.AddOptions<Classifier.ClassifierOptions>().Configure<IConfiguration>((options, configuration) =>
            options.Storage.ConnectionString ??= configuration.GetConnectionString(StorageOptions.ConnectionStringName));
        if (configure is not null)
            services.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Classifier.ClassifierOptions>, ClassifierOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // The parts a workspace composes from the options: the service shares them with offline use.
        services.TryAddSingleton(sp => new Classifier.ClassifierWorkspace(Options(sp), sp.GetRequiredService<TimeProvider>(), validated: true));
        services.TryAddSingleton(sp => sp.GetRequiredService<Classifier.ClassifierWorkspace>().Registry);
        services.TryAddSingleton(sp => sp.GetRequiredService<Classifier.ClassifierWorkspace>().Featurizer);
        services.TryAddSingleton(sp => sp.GetRequiredService<Classifier.ClassifierWorkspace>().Loader);
        services.TryAddSingleton(sp => sp.GetRequiredService<Classifier.ClassifierWorkspace>().Pipeline);

        // Stores, by Classifier:Storage:Provider: an app replaces one by registering its own first.
        services.TryAddSingleton(sp => new PostgreSqlDatabase(Options(sp).Storage.ConnectionString!));
        services.TryAddSingleton<IImageStore>(sp => OnPostgreSql(sp)
            ? new PostgreSqlImageStore(sp.GetRequiredService<PostgreSqlDatabase>())
            : FileImageStore.InStatePath(Options(sp).StatePath));
        services.TryAddSingleton<IFeedbackStore>(sp => OnPostgreSql(sp)
            ? new PostgreSqlFeedbackStore(sp.GetRequiredService<PostgreSqlDatabase>(), sp.GetRequiredService<IImageStore>(), sp.GetRequiredService<TimeProvider>())
            : new SqliteFeedbackStore(Options(sp).StatePath, sp.GetRequiredService<IImageStore>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new PredictionLogWriter(sp.GetRequiredService<IFeedbackStore>(), Options(sp).Inference,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PredictionLogWriter>>()));
        services.TryAddSingleton<IExperimentSettingsStore>(sp => OnPostgreSql(sp)
            ? new PostgreSqlExperimentSettingsStore(sp.GetRequiredService<PostgreSqlDatabase>())
            : new FileExperimentSettingsStore(Options(sp).StatePath));

        // Serving.
        services.TryAddSingleton(sp => new PredictionCache(Options(sp).PredictionCacheSize));
        // With batching, MaxBatch - 1 more requests may be past the gate: a batch can only gather requests that are.
        services.TryAddSingleton(sp => new PredictionGate(Options(sp).MaxConcurrentPredictions + Options(sp).Inference.MaxBatch - 1,
            Options(sp).MaxQueuedPredictions, Options(sp).MaxQueuedPredictionBytes));
        services.TryAddSingleton<ModelServer>();
        services.TryAddSingleton<IImageClassifier>(sp => sp.GetRequiredService<ModelServer>());
        services.TryAddSingleton<IModelStatus>(sp => sp.GetRequiredService<ModelServer>());
        services.TryAddSingleton<ModelLifecycle>();
        services.TryAddSingleton<IModelLifecycle>(sp => sp.GetRequiredService<ModelLifecycle>());

        // Experiments.
        services.TryAddSingleton(sp => new ShadowQueue(Options(sp).ShadowQueueCapacity, Options(sp).ShadowQueueMaxBytes));
        services.TryAddSingleton<IShadowScorer, HeadShadowScorer>();
        services.TryAddSingleton<ExperimentState>();
        services.TryAddSingleton<ArmLoader>();
        services.TryAddSingleton<AbShadowController>();
        services.TryAddSingleton<CanaryController>();
        // Replicas on one database share the secret there unless one is configured; else it is the state folder's.
        services.TryAddSingleton(sp => OnPostgreSql(sp) && string.IsNullOrEmpty(Options(sp).ClientAssignmentSecret)
            ? new ClientBucket(PostgreSqlClientSecret.GetOrCreate(sp.GetRequiredService<PostgreSqlDatabase>()))
            : ClientBucket.FromOptions(Options(sp)));
        services.TryAddSingleton<ExperimentRouter>();
        services.TryAddSingleton<ExperimentRestorer>();
        services.TryAddSingleton<ShadowWorker>();
        services.TryAddSingleton<CanaryService>();
        services.TryAddSingleton<IExperimentService, ExperimentService>();

        // The public services.
        services.TryAddSingleton<IPredictionService, PredictionService>();
        services.TryAddSingleton<IFeedbackService, FeedbackService>();
        services.TryAddSingleton<IRetrainService, RetrainService>();
        services.TryAddSingleton<IServingStatistics, ServingStatisticsReader>();

        // Background services, in this order: the database schema is migrated (PostgreSQL only), the current version is
        // loaded, then the experiments are restored, then the canary is judged; the first model is trained only when
        // there is none.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgreSqlMigrationService>());
        // Before the services that predict: stopped after them, it writes the last queued rows once nothing adds more.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PredictionLogWriter>(sp => sp.GetRequiredService<PredictionLogWriter>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ModelReloadService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ShadowWorker>(sp => sp.GetRequiredService<ShadowWorker>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CanaryService>(sp => sp.GetRequiredService<CanaryService>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, InitialTrainingService>());
        return new ImageClassifierBuilder(services);
    }

    private static bool OnPostgreSql(IServiceProvider services) => Options(services).Storage.Provider == StorageProvider.PostgreSql;

    private static Classifier.ClassifierOptions Options(IServiceProvider services) =>
        services.GetRequiredService<IOptions<Classifier.ClassifierOptions>>().Value;
}
