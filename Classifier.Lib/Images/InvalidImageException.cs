namespace Classifier.Images;

/// <summary>Thrown when bytes cannot be used as an image; <see cref="Kind"/> says why, the message says what to do.</summary>
public sealed class InvalidImageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidImageException(ImageErrorKind kind, string message, Exception? inner = null)
        : base(message, inner) => Kind = kind;

    /// <summary>Why the image was refused.</summary>
    public ImageErrorKind Kind { get; }
}
