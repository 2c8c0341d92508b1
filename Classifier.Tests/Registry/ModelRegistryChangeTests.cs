using Classifier.Registry;
using Classifier.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Classifier.Tests.Registry;

/// <summary>How the registry announces and guards changes of the current version.</summary>
public sealed class ModelRegistryChangeTests
{
    [Fact]
    public async Task PromoteAndRollback_RaiseCurrentChanged_WithTheNewCurrentVersion()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        await TinyVersions.RegisterAsync(registry);
        await TinyVersions.RegisterAsync(registry);
        var announced = new List<string>();
        registry.CurrentChanged += announced.Add;

        await registry.PromoteAsync("v1", "train", "test");
        await registry.PromoteAsync("v2", "promote", "test");
        await registry.RollbackAsync("test");

        Assert.Equal(["v1", "v2", "v1"], announced);
    }

    [Fact]
    public async Task PromoteAsync_WhenCurrentIsNoLongerTheExpectedOne_IsRefusedAndChangesNothing()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        for (int i = 0; i < 3; i++)
            await TinyVersions.RegisterAsync(registry);
        await registry.PromoteAsync("v1", "train", "test");
        await registry.PromoteAsync("v2", "promote", "someone-else");
        var announced = new List<string>();
        registry.CurrentChanged += announced.Add;

        var error = await Assert.ThrowsAsync<CurrentVersionChangedException>(() => registry.PromoteAsync("v3", "promote", "test", expectedCurrent: "v1"));
        var rollback = await Assert.ThrowsAsync<CurrentVersionChangedException>(() => registry.RollbackAsync("test", expectedCurrent: "v1"));

        Assert.Equal("v2", error.Actual);
        Assert.Equal("v1", rollback.Expected);
        Assert.Equal("v2", registry.CurrentVersion);
        Assert.Empty(announced);
        var promoted = await registry.PromoteAsync("v3", "promote", "test", expectedCurrent: "v2");
        Assert.Equal("v3", promoted.Version);
    }

    [Fact]
    public async Task PromoteAsync_StampsTheRecordWithTheRegistrysTimeProvider()
    {
        using var root = new TemporaryDirectory("registry");
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var registry = new ModelRegistry(root.Path, time);
        await TinyVersions.RegisterAsync(registry);

        var record = await registry.PromoteAsync("v1", "train", "test");

        Assert.Equal(time.GetUtcNow(), record.AtUtc);
        Assert.Equal(time.GetUtcNow(), Assert.Single(registry.History).AtUtc);
    }

    [Fact]
    public async Task PromoteAsync_WhileAnotherWriterHoldsTheLock_WaitsWithoutBlockingAndCanBeCancelled()
    {
        using var root = new TemporaryDirectory("registry");
        var registry = new ModelRegistry(root.Path);
        await TinyVersions.RegisterAsync(registry);
        using var held = new FileStream(Path.Combine(root.Path, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        using var cancel = new CancellationTokenSource();

        var promotion = registry.PromoteAsync("v1", "train", "test", cancellationToken: cancel.Token);
        Assert.False(promotion.IsCompleted, "the promotion cannot finish while the lock is held");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => promotion);
        Assert.Null(registry.CurrentVersion);
    }
}
