using Classifier.Images;
using SkiaSharp;

namespace Classifier.Bench.Suites;

/// <summary>Where the decoder's time goes on Fashion-MNIST PNGs: codec, resize (with and without mipmaps), the whole call.</summary>
internal static class DecodeSuite
{
    internal static SuiteReport Run(BenchContext context)
    {
        var report = new SuiteReport("decode", "step", "images", "ms/image");
        var folder = FashionMnist.Import(Path.Combine(context.OutputFolder, "data", "featurize-20"), train: false, 20);
        var images = Directory.EnumerateFiles(folder, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(200).Select(File.ReadAllBytes).ToList();
        var decoder = new ImageDecoder(new ImageLimits());
        var target = new SKImageInfo(224, 224, SKColorType.Rgba8888, SKAlphaType.Premul);
        SKBitmap Decode(byte[] bytes)
        {
            using var data = SKData.CreateCopy(bytes);
            using var codec = SKCodec.Create(data);
            var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
            var bitmap = new SKBitmap(info);
            codec.GetPixels(info, bitmap.GetPixels());
            return bitmap;
        }
        var decoded = images.Select(Decode).ToList();
        void Row(string name, Action<int> action)
        {
            for (int i = 0; i < 20; i++) action(i);
            double seconds = FeaturizeSuite.Best(() => { for (int i = 0; i < images.Count; i++) action(i); });
            report.Add(name, images.Count, 1000 * seconds / images.Count);
        }
        Row("ImageDecoder.DecodeResized (whole call)", i => decoder.DecodeResized(images[i], 224, 224));
        Row("SKCodec create + GetPixels", i => Decode(images[i]).Dispose());
        Row("Resize 28→224, Linear + mipmap Linear (the library before; now only when shrinking)", i => decoded[i].Resize(target, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))!.Dispose());
        Row("Resize 28→224, Linear, no mipmap (the library's upscale now)", i => decoded[i].Resize(target, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None))!.Dispose());
        Row("new SKBitmap 224×224", _ => new SKBitmap(target).Dispose());
        // How many upscales dropping mipmaps changed: why the resize method is part of the backbone id.
        int differing = 0;
        foreach (var d in decoded)
        {
            using var a = d.Resize(target, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))!;
            using var b = d.Resize(target, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None))!;
            if (!a.GetPixelSpan().SequenceEqual(b.GetPixelSpan())) differing++;
        }
        report.Facts["upscalesThatDifferWithoutMipmaps"] = differing;
        report.Notes.Add($"Upscales that differ without mipmaps: {differing} of {decoded.Count}.");
        foreach (var d in decoded) d.Dispose();
        return report;
    }
}
