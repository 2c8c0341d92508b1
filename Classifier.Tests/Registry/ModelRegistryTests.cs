using Classifier.Registry;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Registry;

/// <summary>The registry's rules, on a tiny head trained once on synthetic 8-d features (crash tests with a real process: <see cref="ModelRegistryCrashTests"/>).</summary>
public sealed class ModelRegistryTests
{
    [Fact]
    public async Task Register_FirstVersion_IsV1ListedAndNotCurrent()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);

        var manifest = await RegisterAsync(registry);

        Assert.Equal("v1", manifest.Version);
        Assert.Null(registry.CurrentVersion);
        Assert.Empty(registry.History);
        Assert.Equal(["v1"], registry.List().Select(m => m.Version));
        var read = registry.Get("v1");
        Assert.Equal(["cat", "dog"], read.Labels);
        Assert.Equal(manifest.DataFingerprint, read.DataFingerprint);
        Assert.Equal(8, read.FeatureDimension);
    }

    [Fact]
    public async Task Register_ElevenTimes_NumbersAndListsVersionsNumerically()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);

        for (int i = 0; i < 11; i++)
            await RegisterAsync(registry);

        Assert.Equal(Enumerable.Range(1, 11).Select(n => $"v{n}"), registry.List().Select(m => m.Version));
    }

    [Fact]
    public async Task Register_ManifestNamingAnotherVersion_ThrowsAndWritesNothing()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);

        await Assert.ThrowsAsync<InvalidOperationException>(() => registry.RegisterAsync(TinyVersions.Head, _ => TinyVersions.Manifest("v9")));

        Assert.Empty(registry.List());
        Assert.False(Directory.Exists(root.Combine("v1")));
    }

    [Fact]
    public void Register_FromFourRegistriesAtOnce_GivesFourDistinctVersions()
    {
        using var root = new TemporaryDirectory("registry");
        _ = TinyVersions.Head;

        var versions = Enumerable.Range(0, 4).AsParallel().WithDegreeOfParallelism(4)
            .Select(_ => TinyVersions.RegisterAsync(new ModelRegistry(root.Path)).GetAwaiter().GetResult().Version)
            .ToArray();

        Assert.Equal(["v1", "v2", "v3", "v4"], versions.Order(StringComparer.Ordinal));
        Assert.Equal(4, new ModelRegistry(root.Path).List().Count);
    }

    [Fact]
    public async Task Promote_RegisteredVersion_BecomesCurrentAndIsRecorded()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        await RegisterAsync(registry);
        await RegisterAsync(registry);

        var record = await registry.PromoteAsync("v1", "promote", "alice");

        Assert.Equal("v1", registry.CurrentVersion);
        Assert.Equal("v1", new ModelRegistry(root.Path).CurrentVersion); // it is on disk, not in memory
        Assert.Equal(record, Assert.Single(registry.History));
        Assert.Equal(("v1", "promote", "alice"), (record.Version, record.Reason, record.By));
    }

    [Theory]
    [InlineData("v3")]
    [InlineData("../v1")]
    [InlineData("current.json")]
    public async Task Promote_UnknownVersion_ThrowsKeyNotFoundAndKeepsCurrent(string version)
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        await RegisterAsync(registry);
        await registry.PromoteAsync("v1", "train", "test");

        await Assert.ThrowsAsync<KeyNotFoundException>(() => registry.PromoteAsync(version, "promote", "test"));

        Assert.Equal("v1", registry.CurrentVersion);
        Assert.Single(registry.History);
    }

    [Fact]
    public async Task Rollback_AfterThreePromotions_GoesBackOneThenTwoThenRefuses()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        foreach (var version in new[] { "v1", "v2", "v3" })
        {
            await RegisterAsync(registry);
            await registry.PromoteAsync(version, "train", "test");
        }

        var first = await registry.RollbackAsync("ops");
        var currentAfterFirst = registry.CurrentVersion;
        var second = await registry.RollbackAsync("ops");
        var currentAfterSecond = registry.CurrentVersion;
        var third = await Assert.ThrowsAsync<InvalidOperationException>(() => registry.RollbackAsync("ops"));

        Assert.Equal(("v2", "v2"), (first.Version, currentAfterFirst));
        Assert.Equal(("v1", "v1"), (second.Version, currentAfterSecond));
        Assert.Equal("rollback", second.Reason);
        Assert.Contains("Promote", third.Message);
        Assert.Equal("v1", registry.CurrentVersion);
        Assert.Equal(5, registry.History.Count);
    }

    [Fact]
    public async Task Rollback_AfterRollbackAndANewPromotion_ReturnsToTheVersionServedBeforeIt()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        await RegisterAsync(registry);
        await RegisterAsync(registry);
        await RegisterAsync(registry);
        await registry.PromoteAsync("v1", "train", "test");
        await registry.PromoteAsync("v2", "train", "test");
        await registry.RollbackAsync("ops");            // v2 → v1
        await registry.PromoteAsync("v3", "train", "test");

        var record = await registry.RollbackAsync("ops");

        Assert.Equal("v1", record.Version);
    }

    [Fact]
    public async Task Rollback_NothingPromoted_ThrowsSayingWhatToDo()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        await RegisterAsync(registry);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => registry.RollbackAsync("ops"));

        Assert.Contains("Train", error.Message);
        Assert.Null(registry.CurrentVersion);
    }

    [Fact]
    public async Task Rollback_OnlyOneVersionEverServed_Throws()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        await RegisterAsync(registry);
        await registry.PromoteAsync("v1", "train", "test");
        await registry.PromoteAsync("v1", "promote", "test");

        await Assert.ThrowsAsync<InvalidOperationException>(() => registry.RollbackAsync("ops"));

        Assert.Equal("v1", registry.CurrentVersion);
    }

    [Theory]
    [InlineData("v1", true)]
    [InlineData("v10", true)]
    [InlineData("v123456789", true)]
    [InlineData("../v1", false)]
    [InlineData("v0", false)]
    [InlineData("v01", false)]
    [InlineData("V1", false)]
    [InlineData("v", false)]
    [InlineData("1", false)]
    [InlineData("v1/", false)]
    [InlineData("v1\n", false)] // "$" would match before a final newline
    [InlineData("v-1", false)]
    [InlineData("v1234567890", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsVersionName_AcceptsOnlyVN(string? name, bool expected)
    {
        bool actual = ModelRegistry.IsVersionName(name);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task List_LeftoversOfACrash_AreNeitherListedNorPromotableAndRegisterCleansTemporaries()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        await RegisterAsync(registry);
        // A complete-looking version still in its temporary folder, a version folder whose manifest was never
        // written, and a pointer file that was never renamed into place.
        var temporary = root.Combine(".tmp-v2-0badc0de");
        Directory.CreateDirectory(temporary);
        File.Copy(registry.HeadPath("v1"), Path.Combine(temporary, ModelRegistry.HeadFileName));
        File.WriteAllText(Path.Combine(temporary, ModelRegistry.ManifestFileName), File.ReadAllText(root.Combine("v1", ModelRegistry.ManifestFileName)).Replace("\"v1\"", "\"v2\"", StringComparison.Ordinal));
        Directory.CreateDirectory(root.Combine("v7"));
        File.Copy(registry.HeadPath("v1"), root.Combine("v7", ModelRegistry.HeadFileName));
        var pointerTemporary = root.Combine(".tmp-current.json-0badc0de");
        File.WriteAllText(pointerTemporary, "{\"version\":\"v7\"");

        var listed = registry.List().Select(m => m.Version).ToArray();
        // A version folder without its manifest is damaged, and says so; a temporary folder is not a version at all.
        Assert.Equal("v7/manifest.json", (await Assert.ThrowsAsync<RegistryDamagedException>(() => registry.PromoteAsync("v7", "promote", "test"))).FileName);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => registry.PromoteAsync(".tmp-v2-0badc0de", "promote", "test"));
        var next = await RegisterAsync(registry);

        Assert.Equal(["v1"], listed);
        Assert.Null(registry.CurrentVersion);
        Assert.Equal("v8", next.Version); // never reuses the name of a damaged folder
        Assert.Equal(["v1", "v8"], registry.List().Select(m => m.Version));
        Assert.False(Directory.Exists(temporary));
        Assert.False(File.Exists(pointerTemporary));
    }

    public static TheoryData<string, string> CorruptManifests => new()
    {
        { "truncated", "{\"version\":\"v2\",\"labels\":[\"cat\"," },
        { "not JSON", "\u0000\u0001binary" },
        { "empty file", "" },
        { "JSON null", "null" },
        { "empty object", "{}" },
        { "array", "[]" },
        { "no labels", "{\"version\":\"v2\"}" },
    };

    [Theory]
    [MemberData(nameof(CorruptManifests))]
    public async Task List_CorruptManifest_IsIgnoredAndNotPromotable_NamingTheFile(string kind, string content)
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        await RegisterAsync(registry);
        await RegisterAsync(registry);
        var manifestPath = root.Combine("v2", ModelRegistry.ManifestFileName);
        File.WriteAllText(manifestPath, content);

        var listed = registry.List().Select(m => m.Version).ToArray();
        var found = registry.TryGet("v2");

        Assert.True(listed.SequenceEqual(["v1"]), $"{kind}: listed {string.Join(", ", listed)}");
        Assert.Null(found);
        var damage = await Assert.ThrowsAsync<RegistryDamagedException>(() => registry.PromoteAsync("v2", "promote", "test"));
        Assert.Equal("v2/manifest.json", damage.FileName);
    }

    [Fact]
    public async Task List_FolderHoldingAnotherVersionsManifest_IsIgnored()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        await RegisterAsync(registry);
        await RegisterAsync(registry);
        File.Copy(root.Combine("v1", ModelRegistry.ManifestFileName), root.Combine("v2", ModelRegistry.ManifestFileName), overwrite: true);

        var listed = registry.List().Select(m => m.Version).ToArray();

        Assert.Equal(["v1"], listed);
        Assert.Null(registry.TryGet("v2"));
    }

    /// <summary>
    /// The real thing: the host's <c>train</c> verb killed at moments spread over its run — at times after start
    /// (startup, featurizing, training), at its "Registering" progress line, and at the registry's own steps as a
    /// file watcher sees them (head being written, version renamed into place, pointer being written) — then a run
    /// to the end. After every kill the pointer is absent or on a version that loads, and every listed version loads.
    /// </summary>

    private static Task<ModelManifest> RegisterAsync(ModelRegistry registry) => TinyVersions.RegisterAsync(registry);
}
