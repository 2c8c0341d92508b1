namespace Classifier.Storage;

/// <summary>
/// A store's file is damaged and the service does not touch it (it holds what users sent): every call to the store is
/// refused with this, the service reports itself unready, and the message says which file and what an operator does,
/// naming the file relative to its folder only.
/// </summary>
public sealed class StorageDamagedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public StorageDamagedException(string fileName, string message, Exception? inner = null) : base(message, inner) => FileName = fileName;

    /// <summary>The damaged file, relative to its folder (<c>feedback.db</c>).</summary>
    public string FileName { get; }
}
