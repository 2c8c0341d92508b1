namespace Classifier.Privacy;

/// <summary>
/// What <see cref="ClassifierWorkspace.ReencryptStoredImagesAsync"/> did: every stored image examined, those sealed
/// again under the current key (<paramref name="KeyId"/>; images stored before encryption are de-identified then),
/// and those no key opens (left as they are, and listed in the log; each is stored again when it is next uploaded).
/// </summary>
/// <param name="KeyId">The current key's id (not the key).</param>
/// <param name="Examined">Stored images looked at.</param>
/// <param name="Reencrypted">Images sealed again under the current key.</param>
/// <param name="AlreadyCurrent">Images already under the current key.</param>
/// <param name="Unreadable">Images no configured key opens.</param>
public sealed record ReencryptionReport(string KeyId, int Examined, int Reencrypted, int AlreadyCurrent, int Unreadable);
