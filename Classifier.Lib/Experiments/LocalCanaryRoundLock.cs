namespace Classifier.Experiments;

/// <summary>One replica (the embedded default): <see cref="CanaryService"/>'s own gate already lets one judgement run at a time.</summary>
internal sealed class LocalCanaryRoundLock : ICanaryRoundLock
{
    public Task<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IAsyncDisposable>(Held.Instance);
    }

    private sealed class Held : IAsyncDisposable
    {
        internal static Held Instance { get; } = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
