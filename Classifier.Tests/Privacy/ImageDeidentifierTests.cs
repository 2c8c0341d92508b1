using System.Text;
using Classifier.Features;
using Classifier.Images;
using Classifier.Privacy;
using Classifier.Tests.Infrastructure;
using SkiaSharp;

namespace Classifier.Tests.Privacy;

/// <summary>What is stored of an image: upright pixels as PNG, no metadata; and it featurizes as the upload does.</summary>
[Collection(SampleCollection.Name)]
public sealed class ImageDeidentifierTests(SampleFixture sample)
{
    private readonly ImageDecoder _decoder = new(new ImageLimits());

    [Fact]
    public void Strip_APhoneJpeg_KeepsTheUprightPixelsAsPngAndNoMetadata()
    {
        var photo = ExifJpeg.Create();

        var stored = ImageDeidentifier.Strip(photo.Bytes);

        Assert.Equal(ImageFormat.Png, _decoder.Validate(stored));
        using var codec = SKCodec.Create(new MemoryStream(stored))!;
        Assert.Equal((ExifJpeg.Height, ExifJpeg.Width), (codec.Info.Width, codec.Info.Height)); // orientation 6 applied
        Assert.Equal(SKEncodedOrigin.TopLeft, codec.EncodedOrigin);
        foreach (var marker in new[] { ExifJpeg.CameraMake, ExifJpeg.XmpMarker, ExifJpeg.Comment, "Exif", "iCCP", "eXIf", "tEXt", "iTXt" })
            Assert.Equal(-1, stored.AsSpan().IndexOf(Encoding.ASCII.GetBytes(marker)));
        Assert.Equal(-1, stored.AsSpan().IndexOf(photo.GpsLatitude));
        // The pixels the service decodes from what is stored are those it decodes from the upload.
        Assert.Equal(_decoder.DecodeResized(photo.Bytes, ExifJpeg.Height, ExifJpeg.Width).Pixels,
            _decoder.DecodeResized(stored, ExifJpeg.Height, ExifJpeg.Width).Pixels);
    }

    [Fact]
    public void Strip_APngOfTheSample_DecodesToTheSamePixels()
    {
        var original = File.ReadAllBytes(sample.TestImages[0].Path);

        var stored = ImageDeidentifier.Strip(original);

        Assert.Equal(_decoder.DecodeResized(original, 224, 224).Pixels, _decoder.DecodeResized(stored, 224, 224).Pixels);
    }

    [Fact]
    public void Strip_BytesThatAreNotAnImage_ThrowInvalidImage()
    {
        Assert.Throws<InvalidImageException>(() => ImageDeidentifier.Strip("not an image at all"u8));
    }

    /// <summary>
    /// A large photo is decoded at a fraction of its size when it is a JPEG (DCT scaling) but in full from the stored
    /// PNG, so its features differ a little when they must be computed again from what is stored (a new backbone):
    /// retraining uses the features cached under the original's hash whenever there are some (Retrainer).
    /// </summary>
    [Fact]
    public void Featurize_TheStoredFormOfALargeJpeg_GivesFeaturesWithinTolerance()
    {
        using var backbone = new OnnxBackbone(new BackboneOptions());
        var featurizer = new Featurizer(_decoder, backbone, cache: null);
        using var small = SKBitmap.Decode(sample.TestImages[3].Path);
        using var large = small.Resize(new SKImageInfo(896, 896), new SKSamplingOptions(SKFilterMode.Linear));
        var jpeg = large.Encode(SKEncodedImageFormat.Jpeg, 90).ToArray();

        var original = featurizer.Featurize(jpeg).Features;
        var stored = featurizer.Featurize(ImageDeidentifier.Strip(jpeg)).Features;

        Assert.InRange(Cosine(original, stored), 0.99, 1.0);
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }
}
