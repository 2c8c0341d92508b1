namespace Classifier.Privacy;

/// <summary>A library image store that seals what it keeps with an <see cref="EncryptionKeyRing"/>, and can seal it all again under the current key.</summary>
internal interface ISealedImageStore
{
    /// <summary>Seals every kept image that is not under the current key with it; images no key opens are left and logged.</summary>
    Task<ReencryptionReport> ReencryptAsync(CancellationToken cancellationToken);
}
