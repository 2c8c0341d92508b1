using Classifier.Registry;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Registry;

/// <summary><see cref="ModelRegistry.PruneAsync"/>: which versions retention keeps.</summary>
public sealed class ModelRegistryPruneTests
{
    [Fact]
    public async Task Prune_KeepsNewestVersionsAndEveryVersionThatServedInTheirSpan()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        await RegisterAsync(registry);
        await registry.PromoteAsync("v1", "train", "test");
        for (int i = 2; i <= 6; i++)
            await RegisterAsync(registry); // v2..v6: candidates that never served
        await registry.PromoteAsync("v6", "gate", "test");

        var deleted = await registry.PruneAsync(keepVersions: 2);

        // v5, v6 are the newest two; v1 served until v6 was promoted, after v5 was created.
        Assert.Equal(["v2", "v3", "v4"], deleted);
        Assert.Equal(["v1", "v5", "v6"], registry.List().Select(m => m.Version));
        Assert.Empty(Directory.EnumerateFileSystemEntries(root.Path, ".tmp-*"));
    }

    [Fact]
    public async Task Prune_NeverDeletesTheCurrentOrThePreviousVersion()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        await RegisterAsync(registry);
        await RegisterAsync(registry);
        await registry.PromoteAsync("v1", "train", "test");
        await registry.PromoteAsync("v2", "train", "test");
        await RegisterAsync(registry);
        await RegisterAsync(registry);

        var deleted = await registry.PruneAsync(keepVersions: 1);

        Assert.Equal(["v3"], deleted);
        Assert.Equal(["v1", "v2", "v4"], registry.List().Select(m => m.Version));
        Assert.Equal("v1", (await registry.RollbackAsync("test")).Version);
    }

    private static Task<ModelManifest> RegisterAsync(ModelRegistry registry) => TinyVersions.RegisterAsync(registry);
}
