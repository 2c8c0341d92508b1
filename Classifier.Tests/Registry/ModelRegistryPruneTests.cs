using Classifier.Experiments;
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

    [Fact]
    public async Task Prune_KeepsEveryVersionAnExperimentNames()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        for (int i = 1; i <= 6; i++)
            await RegisterAsync(registry);
        await registry.PromoteAsync("v6", "train", "test");
        // v2 answers an A/B share, v3 shadows, v4 is a running canary (a canary that ended uses nothing).
        var canary = new CanaryState("v4", [5, 100], 0, TimeSpan.FromMinutes(1), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, []);
        var ended = canary with { Outcome = CanaryOutcome.RolledBack };
        var experiments = new ExperimentSettings("v2", 10, DateTimeOffset.UnixEpoch, "v3", DateTimeOffset.UnixEpoch, canary);

        Assert.Equal(["v2", "v3", "v4"], experiments.VersionsInUse);
        Assert.Equal(["v2", "v3"], (experiments with { Canary = ended }).VersionsInUse);

        var deleted = await registry.PruneAsync(keepVersions: 1, experiments.VersionsInUse);

        Assert.Equal(["v1", "v5"], deleted);
        Assert.Equal(["v2", "v3", "v4", "v6"], registry.List().Select(m => m.Version));
    }

    private static Task<ModelManifest> RegisterAsync(ModelRegistry registry) => TinyVersions.RegisterAsync(registry);
}
