using Classifier.Registry;
using Classifier.Serving;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Registry;

/// <summary>
/// What every <see cref="IModelRegistry"/> must do, above all where several processes share it. A backend's test class
/// derives from this and says how to open one more instance over the test's registry, as another replica would.
/// </summary>
public abstract class ModelRegistryContract : IAsyncLifetime
{
    private static readonly TimeSpan WatchTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Opens an instance over this test's registry; each call is another process's view, with its own cache where it has one.</summary>
    protected abstract IModelRegistry Open();

    /// <summary>Deletes this test's registry.</summary>
    protected abstract Task DeleteStateAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => DeleteStateAsync();

    [DatabaseFact]
    public async Task Register_OnTwoInstances_NumbersOnceAndBothListEveryVersion()
    {
        var (first, second) = (Open(), Open());

        var registered = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => TinyVersions.RegisterAsync(i % 2 == 0 ? first : second)));

        Assert.Equal(["v1", "v2", "v3", "v4", "v5", "v6"], registered.Select(m => m.Version).Order(StringComparer.Ordinal));
        Assert.Equal(["v1", "v2", "v3", "v4", "v5", "v6"], first.List().Select(m => m.Version));
        Assert.Equal(registered.Single(m => m.Version == "v3").DataFingerprint, second.Get("v3").DataFingerprint);
        Assert.Null(second.CurrentVersion);
    }

    [DatabaseFact]
    public async Task Promote_OnOneInstance_IsCurrentOnAnotherWithItsHistory()
    {
        var (first, second) = (Open(), Open());
        await TinyVersions.RegisterAsync(first);
        await TinyVersions.RegisterAsync(first);
        string? announced = null;
        first.CurrentChanged += version => announced = version;

        await first.PromoteAsync("v1", "train", "test");
        var record = await first.PromoteAsync("v2", "promote", "admin");

        Assert.Equal("v2", announced);
        Assert.Equal("v2", second.CurrentVersion);
        Assert.Equal([("v1", "train", "test"), ("v2", "promote", "admin")], second.History.Select(r => (r.Version, r.Reason, r.By)));
        Assert.Equal(record.AtUtc, second.History[^1].AtUtc);
    }

    [DatabaseFact]
    public async Task Promote_ConcurrentlyAgainstTheSameCurrent_OneWinsAndTheOthersAreToldItMoved()
    {
        var registries = Enumerable.Range(0, 4).Select(_ => Open()).ToArray();
        for (int i = 0; i < 5; i++)
            await TinyVersions.RegisterAsync(registries[0]);
        await registries[0].PromoteAsync("v1", "train", "test");

        var attempts = registries.Select((registry, i) => Task.Run(() => registry.PromoteAsync($"v{i + 2}", "promote", $"replica-{i}", expectedCurrent: "v1"))).ToArray();
        await Task.WhenAll(attempts.Select(a => a.ContinueWith(_ => { }, TaskScheduler.Default)));

        var winners = attempts.Where(a => a.IsCompletedSuccessfully).Select(a => a.Result.Version).ToArray();
        var winner = Assert.Single(winners);
        Assert.All(attempts.Where(a => !a.IsCompletedSuccessfully),
            a => Assert.Equal(winner, Assert.IsType<CurrentVersionChangedException>(a.Exception!.InnerException).Actual));
        Assert.Equal(winner, Open().CurrentVersion);
        Assert.Equal(["v1", winner], Open().History.Select(r => r.Version));
    }

    [DatabaseFact]
    public async Task Promote_UnknownVersion_ThrowsKeyNotFoundAndKeepsCurrent()
    {
        var registry = Open();
        await TinyVersions.RegisterAsync(registry);
        await registry.PromoteAsync("v1", "train", "test");

        await Assert.ThrowsAsync<KeyNotFoundException>(() => registry.PromoteAsync("v7", "promote", "test"));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => registry.PromoteAsync("../v1", "promote", "test"));

        Assert.Equal("v1", registry.CurrentVersion);
        Assert.Single(registry.History);
    }

    [DatabaseFact]
    public async Task Rollback_FromAnotherInstance_GoesBackOneThenTwoThenRefuses()
    {
        var (first, second) = (Open(), Open());
        for (int i = 1; i <= 3; i++)
        {
            await TinyVersions.RegisterAsync(first);
            await first.PromoteAsync($"v{i}", "promote", "test");
        }

        var once = await second.RollbackAsync("admin");
        await Assert.ThrowsAsync<CurrentVersionChangedException>(() => first.RollbackAsync("admin", expectedCurrent: "v3"));
        var twice = await first.RollbackAsync("admin", expectedCurrent: "v2");

        Assert.Equal(("v2", "v1"), (once.Version, twice.Version));
        await Assert.ThrowsAsync<InvalidOperationException>(() => second.RollbackAsync("admin"));
        Assert.Equal("v1", second.CurrentVersion);
    }

    [DatabaseFact]
    public async Task Load_VersionRegisteredByAnotherInstance_LoadsWithItsFirstTierPathsLocal()
    {
        var (first, second) = (Open(), Open());
        await TinyVersions.RegisterAsync(first);

        using var loaded = LoadedModel.Load(second, "v1", "test-backbone");

        Assert.Equal(["cat", "dog"], loaded.Head.Labels);
        Assert.True(File.Exists(second.HeadPath("v1")));
    }

    [DatabaseFact]
    public async Task TryAcquireRetrainLock_HeldByOneInstance_IsRefusedToAnotherUntilReleased()
    {
        var (first, second) = (Open(), Open());

        var held = first.TryAcquireRetrainLock();
        var refused = second.TryAcquireRetrainLock();
        held!.Dispose();
        using var after = second.TryAcquireRetrainLock();

        Assert.NotNull(held);
        Assert.Null(refused);
        Assert.NotNull(after);
    }

    [DatabaseFact]
    public async Task WatchChanges_PromotionOnAnotherInstance_IsSeen()
    {
        var (watched, other) = (Open(), Open());
        await TinyVersions.RegisterAsync(other);
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = watched.WatchChanges(() =>
        {
            if (watched.CurrentVersion == "v1")
                seen.TrySetResult();
        }, e => seen.TrySetException(e));

        await other.PromoteAsync("v1", "promote", "other-process");

        await seen.Task.WaitAsync(WatchTimeout);
        Assert.Equal("v1", watched.CurrentVersion);
    }

    [DatabaseFact]
    public async Task Prune_FromAnyInstance_KeepsTheNewestTheCurrentAndThePrevious()
    {
        var (first, second) = (Open(), Open());
        await TinyVersions.RegisterAsync(first);
        await first.PromoteAsync("v1", "train", "test");
        for (int i = 0; i < 5; i++)
            await TinyVersions.RegisterAsync(first); // v2..v6: candidates that never served
        await first.PromoteAsync("v6", "promote", "test");

        var deleted = await second.PruneAsync(2);

        Assert.Equal(["v2", "v3", "v4"], deleted.Order(StringComparer.Ordinal));
        Assert.Equal(["v1", "v5", "v6"], first.List().Select(m => m.Version));
        Assert.Null(first.TryGet("v3"));
    }
}
