using Classifier.Registry;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Registry;

/// <summary>A damaged pointer or manifest: named, never taken for "no model", and repaired by the next promotion.</summary>
public sealed class ModelRegistryDamageTests
{
    [Fact]
    public async Task DamagedPointer_IsNamed_AndItsHistorySurvivesInTheBackup()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = await ThreeVersionsAsync(root.Path); // v1 then v2 served; v3 a candidate that never served
        File.WriteAllText(Path.Combine(root.Path, "current.json"), "{\"garbage");

        var damage = Assert.Throws<RegistryDamagedException>(() => registry.CurrentVersion);
        Assert.Equal("current.json", damage.FileName);
        Assert.Contains("not valid JSON", damage.Message);
        Assert.DoesNotContain(root.Path, damage.Message); // shown in /readyz: no full path
        Assert.Equal("v2", registry.LastGoodVersion());
        Assert.Equal(["v1", "v2", "v3"], registry.List().Select(m => m.Version));
    }

    [Fact]
    public async Task Promotion_RewritesADamagedPointerFromItsBackup_KeepingTheHistory()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = await ThreeVersionsAsync(root.Path);
        File.WriteAllText(Path.Combine(root.Path, "current.json"), "[]");

        await registry.PromoteAsync("v3", "promote", "operator", expectedCurrent: "v2");

        Assert.Equal("v3", registry.CurrentVersion);
        Assert.Equal(["v1", "v2", "v3"], registry.History.Select(r => r.Version));
        Assert.Equal("v2", (await registry.RollbackAsync("operator")).Version);
    }

    [Fact]
    public async Task DamagedManifest_IsNamedWhenItsVersionIsAskedFor_AndLastGoodVersionPassesOverIt()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = await ThreeVersionsAsync(root.Path);
        File.WriteAllText(Path.Combine(root.Path, "v2", "manifest.json"), "{\"version\": \"v2\"");

        var damage = Assert.Throws<RegistryDamagedException>(() => registry.Get("v2"));
        Assert.Equal("v2/manifest.json", damage.FileName);
        Assert.Equal("v2", registry.CurrentVersion); // the pointer itself is fine
        Assert.Equal("v1", registry.LastGoodVersion(except: "v2"));
        Assert.Throws<KeyNotFoundException>(() => registry.Get("v9")); // absent is not damaged
    }

    [Fact]
    public async Task WithoutABackup_NoVersionIsGuessed()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = await ThreeVersionsAsync(root.Path);
        File.Delete(Path.Combine(root.Path, "current.backup.json")); // a registry written before backups existed
        File.WriteAllText(Path.Combine(root.Path, "current.json"), "not json");

        Assert.Throws<RegistryDamagedException>(() => registry.CurrentVersion);
        Assert.Null(registry.LastGoodVersion());
    }

    private static async Task<ModelRegistry> ThreeVersionsAsync(string path)
    {
        var registry = new ModelRegistry(path);
        for (int i = 0; i < 3; i++)
            await TinyVersions.RegisterAsync(registry);
        await registry.PromoteAsync("v1", "train", "test");
        await registry.PromoteAsync("v2", "gate", "test");
        return registry;
    }
}
