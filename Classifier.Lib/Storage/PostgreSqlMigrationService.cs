using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Classifier.Storage;

/// <summary>
/// With <see cref="StorageProvider.PostgreSql"/>, migrates the schema when the host starts, before the other background
/// services, so a database that cannot be reached or migrated stops the start with its reason instead of failing the
/// first request. With SQLite it does nothing.
/// </summary>
internal sealed partial class PostgreSqlMigrationService(IOptions<ClassifierOptions> options, IServiceProvider services, ILogger<PostgreSqlMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Storage.Provider != StorageProvider.PostgreSql)
            return;
        var database = services.GetRequiredService<PostgreSqlDatabase>();
        await database.EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        LogMigrated(logger, database.Location, PostgreSqlSchema.CurrentVersion);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage: {Location}, schema version {SchemaVersion}")]
    private static partial void LogMigrated(ILogger logger, string location, int schemaVersion);
}
