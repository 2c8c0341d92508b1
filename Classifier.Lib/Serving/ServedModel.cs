namespace Classifier.Serving;

/// <summary>
/// A loaded model plus a lease count, so that a model swapped out by a reload is disposed only after the
/// last prediction using it returns. State = 2 × leases + retired bit; once it is exactly "retired, no
/// leases" the model is disposed and can no longer be leased.
/// </summary>
internal sealed class ServedModel(LoadedModel model, DateTimeOffset loadedSince)
{
    private int _state;

    internal LoadedModel Model { get; } = model;

    internal DateTimeOffset LoadedSince { get; } = loadedSince;

    internal bool IsDisposed => Volatile.Read(ref _state) == 1;

    internal bool TryAcquire()
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if (state == 1)
                return false;
            if (Interlocked.CompareExchange(ref _state, state + 2, state) == state)
                return true;
        }
    }

    internal void Release()
    {
        if (Interlocked.Add(ref _state, -2) == 1)
            Model.Dispose();
    }

    /// <summary>Called once, after the model has been swapped out.</summary>
    internal void Retire()
    {
        if (Interlocked.Or(ref _state, 1) == 0)
            Model.Dispose();
    }
}
