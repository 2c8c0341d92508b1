using Classifier.Experiments;
using Classifier.Storage;
using Classifier.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Classifier.Tests.Experiments;

[UsesPostgreSql]
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlClientSecretTests(PostgreSqlFixture postgres) : IAsyncLifetime
{
    private TestDatabase? _database;

    public async Task InitializeAsync() => _database = await postgres.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        if (_database is not null)
            await _database.DisposeAsync();
    }

    [DatabaseFact]
    public void GetOrCreate_FromTwoReplicas_GivesBothTheFirstSecret()
    {
        using var first = new PostgreSqlDatabase(_database!.ConnectionString);
        using var second = new PostgreSqlDatabase(_database.ConnectionString);

        var secrets = new[] { first, second, first }.Select(PostgreSqlClientSecret.GetOrCreate).ToList();

        Assert.Equal(32, secrets[0].Length);
        Assert.All(secrets, secret => Assert.Equal(secrets[0], secret));
    }

    [DatabaseFact]
    public void AddImageClassifier_OnPostgreSqlWithoutASecret_PutsAClientInTheSameBucketOnEveryReplica()
    {
        using var state = new TemporaryDirectory("secret");
        using var replicaA = Replica(state.Combine("a"));
        using var replicaB = Replica(state.Combine("b"));

        var buckets = new[] { replicaA, replicaB }.Select(r => r.GetRequiredService<ClientBucket>()).ToList();

        Assert.All(Enumerable.Range(0, 50).Select(i => $"client-{i}"), client => Assert.Equal(buckets[0].Of(client), buckets[1].Of(client)));
        Assert.False(File.Exists(state.Combine("a", ClientBucket.SecretFileName)));
    }

    private ServiceProvider Replica(string statePath)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Classifier:Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:Classifier"] = _database!.ConnectionString,
            ["Classifier:Storage:EncryptionKey"] = TestKeys.NewKeyText(),
        }).Build());
        services.AddImageClassifier(o => o.StatePath = statePath);
        return services.BuildServiceProvider();
    }
}
