using Classifier.Registry;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Registry;

/// <summary><see cref="ModelRegistry.Prune"/>: which versions retention keeps.</summary>
public sealed class ModelRegistryPruneTests
{
    [Fact]
    public void Prune_KeepsNewestVersionsAndEveryVersionThatServedInTheirSpan()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        Register(registry);
        registry.Promote("v1", "train", "test");
        for (int i = 2; i <= 6; i++)
            Register(registry); // v2..v6: candidates that never served
        registry.Promote("v6", "gate", "test");

        var deleted = registry.Prune(keepVersions: 2);

        // v5, v6 are the newest two; v1 served until v6 was promoted, after v5 was created.
        Assert.Equal(["v2", "v3", "v4"], deleted);
        Assert.Equal(["v1", "v5", "v6"], registry.List().Select(m => m.Version));
        Assert.Empty(Directory.EnumerateFileSystemEntries(root.Path, ".tmp-*"));
    }

    [Fact]
    public void Prune_NeverDeletesTheCurrentOrThePreviousVersion()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        Register(registry);
        Register(registry);
        registry.Promote("v1", "train", "test");
        registry.Promote("v2", "train", "test");
        Register(registry);
        Register(registry);

        var deleted = registry.Prune(keepVersions: 1);

        Assert.Equal(["v3"], deleted);
        Assert.Equal(["v1", "v2", "v4"], registry.List().Select(m => m.Version));
        Assert.Equal("v1", registry.Rollback("test").Version);
    }

    private static ModelManifest Register(ModelRegistry registry) => TinyVersions.Register(registry);
}
