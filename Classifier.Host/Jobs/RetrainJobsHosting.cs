using Classifier.Host.Security;
using Classifier.Storage;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Jobs;

/// <summary>
/// Hangfire on the storage the library uses (<c>Classifier:Storage:Provider</c>): SQLite under the state folder, or the
/// same PostgreSQL database (schema <c>hangfire</c>, which Hangfire.PostgreSql creates and migrates itself), so that
/// replicas share one queue and one retrain lock. The retrain and retention jobs, their server and the dashboard at <c>/hangfire</c>.
/// </summary>
internal static class RetrainJobsHosting
{
    internal static IServiceCollection AddRetrainJobs(this IServiceCollection services)
    {
        // Registered before AddHangfire, whose own registration would fall back to the static JobStorage.Current,
        // shared by every host in a process (tests host several).
        services.AddSingleton<JobStorage>(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<ClassifierOptions>>().Value;
            var pollInterval = sp.GetRequiredService<IOptions<ServiceOptions>>().Value.JobPollInterval;
            if (settings.Storage.Provider == StorageProvider.PostgreSql)
            {
                var options = new PostgreSqlStorageOptions { QueuePollInterval = pollInterval };
                return new PostgreSqlStorage(new NpgsqlConnectionFactory(settings.Storage.ConnectionString!, options), options);
            }
            var state = Path.GetFullPath(settings.StatePath);
            Directory.CreateDirectory(state);
            var file = Path.Combine(state, "hangfire.db");
            // The job store holds job history and the schedule, which is registered again at start: a damaged one is set
            // aside rather than stopping the service.
            if (SqliteFiles.SetAsideIfDamaged(file) is { } aside)
                sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RetrainJobsHosting)).LogWarning(
                    "The job store {File} was damaged and was moved to {Aside}; an empty one replaces it (the retrain schedule is registered again; the job history is in the old file)", file, aside);
            var storage = new SQLiteStorage(file, new SQLiteStorageOptions { QueuePollInterval = pollInterval });
            // Owner-only like every state file (the job store creates it with the process's umask; its -wal and -shm follow it).
            if (!OperatingSystem.IsWindows())
                foreach (var part in new[] { file, file + "-wal", file + "-shm" }.Where(File.Exists))
                    File.SetUnixFileMode(part, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return storage;
        });
        services.AddHangfire(configuration => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        // One worker: a retrain uses every core it can get, and two never run at once anyway.
        services.AddHangfireServer(server => server.WorkerCount = 1);
        services.AddTransient<RetrainJob>();
        services.AddTransient<RetentionJob>();
        services.AddSingleton<DashboardAuthorizationFilter>();
        return services;
    }

    internal static WebApplication MapRetrainDashboard(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<ClassifierOptions>>().Value;
        var jobs = app.Services.GetRequiredService<IRecurringJobManager>();
        jobs.AddOrUpdate<RetrainJob>(RetrainJob.RecurringId, job => job.RunAsync(false, "schedule", CancellationToken.None),
            settings.Retrain.Cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        // Never scheduled: the dashboard's "Trigger now" on this one retrains even without new feedback.
        jobs.AddOrUpdate<RetrainJob>(RetrainJob.ForcedRecurringId, job => job.RunAsync(true, "dashboard", CancellationToken.None),
            Cron.Never(), new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        jobs.AddOrUpdate<RetentionJob>(RetentionJob.RecurringId, job => job.RunAsync(CancellationToken.None),
            settings.Retention.Cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });

        DashboardAuthorizationFilter.UseDashboardLogin(app);
        app.UseHangfireDashboard(DashboardAuthorizationFilter.Path, new DashboardOptions
        {
            Authorization = [app.Services.GetRequiredService<DashboardAuthorizationFilter>()],
            DashboardTitle = "Classifier jobs",
        });
        return app;
    }
}
