using Classifier.Images;

namespace Classifier.Features;

/// <summary>Label-preserving variants of an image, used to give a class with few examples more to learn from.</summary>
internal enum Augmentation
{
    Mirror,
    ZoomTopLeft,
    ZoomTopRight,
    ZoomBottomLeft,
    ZoomBottomRight,
}

internal static class Augmentations
{
    /// <summary>Zoomed crops decode the image this much larger than the input, then cut an input-sized window.</summary>
    private const float Zoom = 1.15f;

    internal static IReadOnlyList<Augmentation> All { get; } = Enum.GetValues<Augmentation>();

    internal static RgbImage Apply(ImageDecoder decoder, ReadOnlySpan<byte> bytes, int width, int height, Augmentation augmentation)
    {
        if (augmentation == Augmentation.Mirror)
            return Mirror(decoder.DecodeResized(bytes, width, height));
        int zoomedWidth = (int)MathF.Round(width * Zoom), zoomedHeight = (int)MathF.Round(height * Zoom);
        var zoomed = decoder.DecodeResized(bytes, zoomedWidth, zoomedHeight);
        int right = zoomedWidth - width, bottom = zoomedHeight - height;
        return augmentation switch
        {
            Augmentation.ZoomTopLeft => Crop(zoomed, 0, 0, width, height),
            Augmentation.ZoomTopRight => Crop(zoomed, right, 0, width, height),
            Augmentation.ZoomBottomLeft => Crop(zoomed, 0, bottom, width, height),
            _ => Crop(zoomed, right, bottom, width, height),
        };
    }

    private static RgbImage Mirror(RgbImage image)
    {
        var pixels = new byte[image.Pixels.Length];
        int stride = image.Width * 3;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                image.Pixels.AsSpan(y * stride + x * 3, 3).CopyTo(pixels.AsSpan(y * stride + (image.Width - 1 - x) * 3, 3));
        return image with { Pixels = pixels };
    }

    private static RgbImage Crop(RgbImage image, int left, int top, int width, int height)
    {
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            image.Pixels.AsSpan(((top + y) * image.Width + left) * 3, width * 3).CopyTo(pixels.AsSpan(y * width * 3));
        return new RgbImage(width, height, pixels);
    }
}
