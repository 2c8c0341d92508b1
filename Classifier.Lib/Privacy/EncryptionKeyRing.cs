using System.Security.Cryptography;
using Classifier.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Classifier.Privacy;

/// <summary>
/// The keys of stored images: the current one seals what is written; it and the older ones open what was. A blob
/// names its key by id, so an older key is found without trying each.
/// </summary>
internal sealed partial class EncryptionKeyRing
{
    /// <summary>The key the embedded default makes when none is configured: <c>StatePath/storage.key</c>, base64, owner-only.</summary>
    internal const string KeyFileName = "storage.key";

    private readonly Dictionary<string, EncryptionKey> _byId;

    internal EncryptionKeyRing(EncryptionKey current, IEnumerable<EncryptionKey> older)
    {
        Current = current;
        _byId = new(StringComparer.Ordinal) { [current.IdText] = current };
        foreach (var key in older)
            _byId.TryAdd(key.IdText, key);
    }

    internal EncryptionKey Current { get; }

    internal EncryptionKey? Find(ReadOnlySpan<byte> id) => _byId.GetValueOrDefault(Convert.ToHexStringLower(id));

    /// <summary>
    /// The configured key (<see cref="StorageOptions.EncryptionKey"/>) and older ones, else the state folder's key,
    /// made on first use. A key file left by the embedded default stays an older key once a key is configured, so
    /// that moving to a configured key keeps every image readable until <c>reencrypt</c> has run. The options are validated.
    /// </summary>
    internal static EncryptionKeyRing FromOptions(ClassifierOptions options, ILogger? logger = null)
    {
        var storage = options.Storage;
        var older = storage.PreviousKeys().ToList();
        var keyFile = Path.Combine(options.StatePath, KeyFileName);
        if (storage.ConfiguredKey() is { } configured)
        {
            if (File.Exists(keyFile))
                older.Add(ReadKeyFile(keyFile));
            return new EncryptionKeyRing(configured, older);
        }
        return new EncryptionKeyRing(GetOrCreateKeyFile(options.StatePath, logger ?? NullLogger.Instance), older);
    }

    /// <summary>The state folder's own key, made on first use: what the embedded default encrypts with.</summary>
    internal static EncryptionKeyRing InStatePath(string statePath) => new(GetOrCreateKeyFile(statePath, NullLogger.Instance), []);

    private static EncryptionKey GetOrCreateKeyFile(string statePath, ILogger logger)
    {
        OwnerOnly.Folder(statePath);
        var path = Path.Combine(Path.GetFullPath(statePath), KeyFileName);
        try
        {
            var key = RandomNumberGenerator.GetBytes(EncryptionKey.Length);
            using (var created = new FileStream(path, OwnerOnly.NewFile()))
            {
                created.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
                created.Flush(flushToDisk: true);
            }
            var made = new EncryptionKey(key);
            KeyFileCreated(logger, path, made.IdText);
            return made;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Made by an earlier start, or by another process a moment ago.
        }
        return ReadKeyFile(path);
    }

    private static EncryptionKey ReadKeyFile(string path)
    {
        var text = File.ReadAllText(path);
        return EncryptionKey.TryParse(text, out var problem) ?? throw new InvalidOperationException(
            $"{path} {problem}. It holds the key of the stored images: restore it from a backup, or set Classifier:Storage:EncryptionKey " +
            "(environment variable Classifier__Storage__EncryptionKey) to the key it held. Deleting it makes the images stored so far unreadable.");
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning,
        Message = "No Classifier:Storage:EncryptionKey is configured: stored images are encrypted with a new key kept in {KeyFile} (key id {KeyId}, owner-only). Back it up with the state folder, or move it to a secret and set Classifier__Storage__EncryptionKey.")]
    private static partial void KeyFileCreated(ILogger logger, string keyFile, string keyId);
}
