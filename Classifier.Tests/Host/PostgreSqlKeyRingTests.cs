using Classifier.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Classifier.Tests.Host;

/// <summary>
/// The data protection key ring (it signs the console forms' antiforgery tokens) outlives a process: in the state folder
/// by default, and with PostgreSQL in the database, so that what one replica protected another reads.
/// </summary>
[UsesPostgreSql]
[Collection(SampleCollection.Name)]
public sealed class PostgreSqlKeyRingTests(SampleFixture sample)
{
    [DatabaseFact]
    public async Task TwoReplicasOnOneDatabase_ReadEachOthersProtectedData()
    {
        await using var database = await TestDatabase.CreateAsync(await PostgreSqlServer.SharedAsync());
        var settings = new Dictionary<string, string?>
        {
            ["Classifier:Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:Classifier"] = database.ConnectionString,
            ["Classifier:TrainWhenNoModel"] = "false",
            ["Classifier:Storage:EncryptionKey"] = TestKeys.NewKeyText(), // replicas on one database share it
        };
        using var first = ServiceScope.CreateEmpty(sample);
        using var second = ServiceScope.CreateEmpty(sample); // private folders: only the database is shared
        await using var a = first.Factory(settings);
        await using var b = second.Factory(settings);

        string token = Protector(a).Protect("a form rendered by replica A");

        Assert.Equal("a form rendered by replica A", Protector(b).Unprotect(token));
        Assert.False(Directory.Exists(Path.Combine(first.StatePath, "data-protection-keys")));
    }

    [Fact]
    public async Task OneReplicaOnSqlite_KeepsItsKeysInTheStateFolder_AcrossARestart()
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        var settings = new Dictionary<string, string?> { ["Classifier:TrainWhenNoModel"] = "false" };
        string token;
        await using (var before = scope.Factory(settings))
            token = Protector(before).Protect("a form rendered before the restart");
        await using var after = scope.Factory(settings);

        Assert.Equal("a form rendered before the restart", Protector(after).Unprotect(token));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(scope.StatePath, "data-protection-keys"), "key-*.xml"));
    }

    private static IDataProtector Protector(ClassifierServiceFactory factory) =>
        factory.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Classifier.Tests.KeyRing");
}
