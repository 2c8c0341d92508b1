namespace Classifier.Serving;

/// <summary>
/// Answers already given, keyed by (image hash, model version, top): the same bytes under the same version get
/// the same answer without decoding or running the backbone. Bounded, least recently used first out; emptied
/// when the served version changes. Thread-safe.
/// </summary>
internal sealed class PredictionCache(int capacity)
{
    private readonly record struct Key(string ImageHash, string ModelVersion, int Top);

    private readonly Lock _gate = new();
    private readonly Dictionary<Key, LinkedListNode<(Key Key, Prediction Value)>> _entries = [];
    private readonly LinkedList<(Key Key, Prediction Value)> _recency = new();
    private long _hits;
    private long _misses;

    internal int Capacity { get; } = capacity;

    internal long Hits => Interlocked.Read(ref _hits);

    internal long Misses => Interlocked.Read(ref _misses);

    internal int Count
    {
        get
        {
            lock (_gate)
                return _entries.Count;
        }
    }

    internal bool TryGet(string imageHash, string modelVersion, int top, out Prediction prediction)
    {
        if (Capacity > 0)
        {
            lock (_gate)
            {
                if (_entries.TryGetValue(new Key(imageHash, modelVersion, top), out var node))
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    Interlocked.Increment(ref _hits);
                    prediction = node.Value.Value;
                    return true;
                }
            }
        }
        Interlocked.Increment(ref _misses);
        prediction = null!;
        return false;
    }

    internal void Add(Prediction prediction, int top)
    {
        if (Capacity <= 0)
            return;
        var key = new Key(prediction.ImageHash, prediction.ModelVersion, top);
        lock (_gate)
        {
            if (_entries.ContainsKey(key))
                return;
            _entries[key] = _recency.AddFirst((key, prediction));
            if (_entries.Count > Capacity)
            {
                var oldest = _recency.Last!;
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.Key);
            }
        }
    }

    internal void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _recency.Clear();
        }
    }
}
