using Classifier.DependencyInjection;
using Classifier.Experiments;
using Classifier.Feedback;
using Classifier.Learning;
using Classifier.Privacy;
using Classifier.Serving;
using Classifier.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
        services.TryAddSingleton(sp => new Classifier.ClassifierWorkspace(Options(sp), sp.GetRequiredService<TimeProvider>(), validated: true,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<Classifier.ClassifierWorkspace>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<Classifier.ClassifierWorkspace>().Registry);
        services.TryAddSingleton(sp => sp.GetRequiredService<Classifier.ClassifierWorkspace>().Featurizer);
        services.TryAddSingleton(sp => sp.GetRequiredService<Classifier.ClassifierWorkspace>().Loader);
        services.TryAddSingleton(sp => sp.GetRequiredService<Classifier.ClassifierWorkspace>().Pipeline);

        // Stores, by Classifier:Storage:Provider: an app replaces one by registering its own first.
        services.TryAddSingleton(sp => new PostgreSqlDatabase(Options(sp).Storage.ConnectionString!));
        // The key of stored images: configured, else (SQLite only) the state folder's, made and logged on first start.
        services.TryAddSingleton(sp => EncryptionKeyRing.FromOptions(Options(sp), Logger<EncryptionKeyRing>(sp)));
        services.TryAddSingleton<IImageStore>(sp => OnPostgreSql(sp)
            ? new PostgreSqlImageStore(sp.GetRequiredService<PostgreSqlDatabase>(), sp.GetRequiredService<EncryptionKeyRing>(), Logger<PostgreSqlImageStore>(sp))
            : FileImageStore.InStatePath(Options(sp).StatePath, sp.GetRequiredService<EncryptionKeyRing>(), Logger<FileImageStore>(sp)));
        services.TryAddSingleton<IFeedbackStore>(sp => OnPostgreSql(sp)
            ? new PostgreSqlFeedbackStore(sp.GetRequiredService<PostgreSqlDatabase>(), sp.GetRequiredService<IImageStore>(), sp.GetRequiredService<TimeProvider>())
            : OpenSqliteFeedbackStore(sp));
        services.TryAddSingleton(sp => new PredictionLogWriter(sp.GetRequiredService<IFeedbackStore>(), Options(sp).Inference,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PredictionLogWriter>>(), Options(sp).Storage.Provider));
        services.TryAddSingleton<IExperimentSettingsStore>(sp => OnPostgreSql(sp)
            ? new PostgreSqlExperimentSettingsStore(sp.GetRequiredService<PostgreSqlDatabase>())
            : new FileExperimentSettingsStore(Options(sp).StatePath));

        // Serving.
        services.TryAddSingleton<ImageQuota>();
        services.TryAddSingleton(sp => new PredictionCache(Options(sp).PredictionCacheSize));
        // With batching, MaxBatch - 1 more requests may be past the gate (a batch can only gather requests that are), but
        // what they decode together stays what MaxConcurrentPredictions images of the largest size allowed would take.
        services.TryAddSingleton(sp => new PredictionGate(Options(sp).MaxConcurrentPredictions + Options(sp).Inference.MaxBatch - 1,
            Options(sp).MaxQueuedPredictions, Options(sp).MaxQueuedPredictionBytes,
            maxRunningBytes: Options(sp).MaxConcurrentPredictions * Math.Max(Options(sp).Images.MaxBytes, Options(sp).Images.MaxPixels * 4)));
        services.TryAddSingleton<ServiceHealth>();
        services.TryAddSingleton<IServiceHealth>(sp => sp.GetRequiredService<ServiceHealth>());
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
        // Replicas on one database judge the canary one at a time, under a lock there.
        services.TryAddSingleton<ICanaryRoundLock>(sp => OnPostgreSql(sp)
            ? new PostgreSqlCanaryRoundLock(sp.GetRequiredService<PostgreSqlDatabase>())
            : new LocalCanaryRoundLock());
        services.TryAddSingleton<CanaryService>();
        services.TryAddSingleton<IExperimentService, ExperimentService>();

        // The public services.
        services.TryAddSingleton<IPredictionService, PredictionService>();
        services.TryAddSingleton<IFeedbackService, FeedbackService>();
        services.TryAddSingleton<IRetrainService, RetrainService>();
        services.TryAddSingleton<IServingStatistics, ServingStatisticsReader>();
        services.TryAddSingleton<IDataRetentionService, DataRetentionService>();
        services.TryAddSingleton<IDataErasureService, DataErasureService>();

        // Background services, in this order: the database schema is migrated (PostgreSQL only), the current version is
        // loaded, then the experiments are restored, then the canary is judged and (PostgreSQL only) other replicas'
        // experiment changes followed; the first model is trained only when there is none, once across replicas.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgreSqlMigrationService>());
        // Before the services that predict: stopped after them, it writes the last queued rows once nothing adds more.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PredictionLogWriter>(sp => sp.GetRequiredService<PredictionLogWriter>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ModelReloadService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ShadowWorker>(sp => sp.GetRequiredService<ShadowWorker>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CanaryService>(sp => sp.GetRequiredService<CanaryService>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ExperimentFollower>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, InitialTrainingService>());
        // Stopping: readiness fails and the service keeps answering for ShutdownDrain before any hosted service stops.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ShutdownDrainService>());
        return new ImageClassifierBuilder(services);
    }

    /// <summary>
    /// The prediction log in the state folder. When its file is damaged the service still starts (unready, saying why)
    /// and leaves the file as it is: it holds what users sent, so only an operator decides to restore or abandon it.
    /// </summary>
    private static IFeedbackStore OpenSqliteFeedbackStore(IServiceProvider sp)
    {
        try
        {
            return new SqliteFeedbackStore(Options(sp).StatePath, sp.GetRequiredService<IImageStore>(), sp.GetRequiredService<TimeProvider>());
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (SqliteFiles.IsDamage(e))
        {
            var damage = new StorageDamagedException(SqliteFeedbackStore.FileName,
                $"The prediction log ({SqliteFeedbackStore.FileName} in the state folder) is damaged: {e.Message} The service leaves it as it is and takes "
                + $"no traffic until it is fixed: restore it from a backup, or move it (with its -wal and -shm files) aside to start an empty log; then restart.", e);
            sp.GetRequiredService<ServiceHealth>().Report(new ServiceProblem("feedback", damage.Message, KeepsUnready: true));
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SqliteFeedbackStore)).LogError(e,
                "The prediction log in {StatePath} is damaged; the service takes no traffic until it is restored or moved aside", Options(sp).StatePath);
            return UnavailableStore.Create<IFeedbackStore>(damage);
        }
    }

    private static ILogger Logger<T>(IServiceProvider services) =>
        (ILogger?)services.GetService<ILoggerFactory>()?.CreateLogger<T>() ?? NullLogger.Instance;

    private static bool OnPostgreSql(IServiceProvider services) => Options(services).Storage.Provider == StorageProvider.PostgreSql;

    private static Classifier.ClassifierOptions Options(IServiceProvider services) =>
        services.GetRequiredService<IOptions<Classifier.ClassifierOptions>>().Value;
}
