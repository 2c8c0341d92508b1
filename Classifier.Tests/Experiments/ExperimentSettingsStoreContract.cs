using Classifier.Experiments;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Experiments;

/// <summary>What every <see cref="IExperimentSettingsStore"/> must do. A backend's test class derives from this and says how to open its store over the test's own state.</summary>
public abstract class ExperimentSettingsStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Opens the store under test over this test's state; a second call opens the same state again, as a restarted process would.</summary>
    protected abstract IExperimentSettingsStore CreateStore();

    /// <summary>Deletes this test's state.</summary>
    protected abstract Task DeleteStateAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => DeleteStateAsync();

    [DatabaseFact]
    public async Task ReadAsync_WhenNothingWasWritten_ReturnsNone()
    {
        Assert.Equal(ExperimentSettings.None, await CreateStore().ReadAsync());
    }

    [DatabaseFact]
    public async Task ReadAsync_AfterWrite_ReturnsTheSettingsWithTheirCanary()
    {
        var store = CreateStore();
        var written = Settings();

        await store.WriteAsync(written);

        AssertSame(written, await store.ReadAsync());
    }

    [DatabaseFact]
    public async Task WriteAsync_Twice_ReplacesTheFirstWhole()
    {
        var store = CreateStore();
        await store.WriteAsync(Settings());
        var second = new ExperimentSettings(null, 0, null, "v4", Start.AddHours(2));

        await store.WriteAsync(second);

        Assert.Equal(second, await store.ReadAsync());
    }

    [DatabaseFact]
    public async Task CreateStore_OverTheSameState_ReadsWhatAnEarlierStoreWrote()
    {
        var written = Settings();
        await CreateStore().WriteAsync(written);

        var reopened = CreateStore();

        AssertSame(written, await reopened.ReadAsync());
    }

    [DatabaseFact]
    public async Task ReadAndWrite_WithACancelledToken_ThrowOperationCanceledAndWriteNothing()
    {
        var store = CreateStore();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WriteAsync(Settings(), cancellation.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ReadAsync(cancellation.Token));

        Assert.Equal(ExperimentSettings.None, await store.ReadAsync());
    }

    [DatabaseFact]
    public void Location_NamesWhereTheSettingsAre()
    {
        Assert.False(string.IsNullOrWhiteSpace(CreateStore().Location));
    }

    private static ExperimentSettings Settings() => new("v2", 12.5, Start, "v3", Start.AddMinutes(5),
        new CanaryState("v3", [5, 25, 100], 1, TimeSpan.FromMinutes(10), Start, Start.AddMinutes(10),
            [new CanaryStep(5, Start, "started"), new CanaryStep(25, Start.AddMinutes(10), "held")]));

    // The canary's lists compare by reference; everything else by value.
    private static void AssertSame(ExperimentSettings expected, ExperimentSettings actual)
    {
        Assert.Equal(expected with { Canary = null }, actual with { Canary = null });
        Assert.NotNull(actual.Canary);
        Assert.Equal(expected.Canary! with { Steps = [], History = [] }, actual.Canary with { Steps = [], History = [] });
        Assert.Equal(expected.Canary.Steps, actual.Canary.Steps);
        Assert.Equal(expected.Canary.History, actual.Canary.History);
    }
}
