using Classifier.Images;

namespace Classifier.Privacy;

/// <summary>One stored blob brought under the current key: the step <c>reencrypt</c> takes for each image, whatever the store.</summary>
internal static class Resealing
{
    internal enum Outcome
    {
        AlreadyCurrent,
        Resealed,
        Unreadable,
    }

    /// <summary>The blob sealed under the current key, or why none is needed or possible (then <c>Problem</c> says why).</summary>
    internal static (Outcome Outcome, byte[]? Blob, string? Problem) Reseal(EncryptionKeyRing keys, string hash, byte[] blob)
    {
        var opened = SealedImage.Open(keys, hash, blob);
        if (opened.Image is null)
            return (Outcome.Unreadable, null, opened.Problem);
        if (opened.Key == keys.Current)
            return (Outcome.AlreadyCurrent, null, null);
        byte[] image;
        try
        {
            // Stored before encryption, so as uploaded: de-identified now, as it would be today.
            image = opened.Key is null ? ImageDeidentifier.Strip(opened.Image) : opened.Image;
        }
        catch (InvalidImageException e)
        {
            return (Outcome.Unreadable, null, e.Message);
        }
        return (Outcome.Resealed, SealedImage.Seal(keys.Current, hash, image), null);
    }

    /// <summary>Counts outcomes into a report.</summary>
    internal sealed class Tally(EncryptionKeyRing keys)
    {
        private int _examined, _resealed, _current, _unreadable;

        internal void Add(Outcome outcome)
        {
            _examined++;
            switch (outcome)
            {
                case Outcome.Resealed: _resealed++; break;
                case Outcome.AlreadyCurrent: _current++; break;
                default: _unreadable++; break;
            }
        }

        internal ReencryptionReport Report() => new(keys.Current.IdText, _examined, _resealed, _current, _unreadable);
    }
}
