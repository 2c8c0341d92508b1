namespace Classifier.Feedback;

/// <summary>
/// The images that predictions and corrections refer to, kept once each by content hash (lowercase hex SHA-256).
/// Thread-safe and durable: an image is stored whole or not at all. Register another implementation before
/// <c>AddImageClassifier</c> to replace the file one.
/// </summary>
public interface IImageStore
{
    /// <summary>Keeps <paramref name="bytes"/> under <paramref name="hash"/>; nothing happens when that hash is already kept. Throws <see cref="ArgumentException"/> when <paramref name="hash"/> is not a content hash.</summary>
    Task PutAsync(string hash, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default);

    /// <summary>The bytes kept under <paramref name="hash"/>, or null when none are. Throws <see cref="ArgumentException"/> when <paramref name="hash"/> is not a content hash.</summary>
    Task<byte[]?> ReadAsync(string hash, CancellationToken cancellationToken = default);

    /// <summary>Deletes the bytes kept under <paramref name="hash"/>; false when none were. Throws <see cref="ArgumentException"/> when <paramref name="hash"/> is not a content hash.</summary>
    Task<bool> DeleteAsync(string hash, CancellationToken cancellationToken = default);

    /// <summary>The bytes the store holds in all (for the quota, <see cref="Privacy.RetentionOptions.MaxImageStoreBytes"/>); may cost a pass over the store.</summary>
    Task<long> GetStoredBytesAsync(CancellationToken cancellationToken = default);
}
