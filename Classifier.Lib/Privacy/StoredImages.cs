using Classifier.Feedback;

namespace Classifier.Privacy;

/// <summary>How the feedback stores keep an image: de-identified, once per content hash of the original.</summary>
internal static class StoredImages
{
    /// <summary>
    /// Keeps the de-identified <paramref name="image"/> under the hash of the original bytes (so deduplication and the
    /// embedding cache still key on what callers send), unless a readable copy is already kept: the work of stripping
    /// is done once per image, and a copy that no longer opens (torn, altered) is written again.
    /// </summary>
    internal static async Task PutDeidentifiedAsync(this IImageStore images, string hash, ReadOnlyMemory<byte> image, CancellationToken cancellationToken)
    {
        if (await images.ReadAsync(hash, cancellationToken).ConfigureAwait(false) is not null)
            return;
        await images.PutAsync(hash, ImageDeidentifier.Strip(image.Span), cancellationToken).ConfigureAwait(false);
    }
}
