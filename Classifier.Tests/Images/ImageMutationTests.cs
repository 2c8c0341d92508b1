using Classifier.Images;
using Classifier.Tests.Infrastructure;
using SkiaSharp;
using Xunit.Abstractions;

namespace Classifier.Tests.Images;

/// <summary>
/// Randomized robustness of the sniffer, the header reader and the decoder: thousands of valid images of every supported
/// format with their first bytes mutated (bits flipped, bytes set to boundary values, bytes inserted and deleted, the
/// file cut short). Whatever the bytes, the only way out is an answer or <see cref="InvalidImageException"/>: never
/// another exception, which the service would turn into a 500. Seeds are fixed, so a failure names a reproducible case.
/// </summary>
public sealed class ImageMutationTests(ITestOutputHelper output)
{
    private const int MutationsPerFormat = 2_000;
    private static readonly byte[] Boundaries = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF];

    public static TheoryData<string> Formats => ["png", "jpeg", "webp", "gif", "bmp"];

    [Theory]
    [MemberData(nameof(Formats))]
    public void DecodeResized_MutatedHeaders_AnswerOrThrowOnlyInvalidImage(string format)
    {
        var original = Seed(format);
        var decoder = new ImageDecoder(new ImageLimits { MaxPixels = 4_000_000 });
        var random = new Random(20261130 + format.Sum(c => c)); // string.GetHashCode differs between processes
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);

        for (int i = 0; i < MutationsPerFormat; i++)
        {
            var mutated = Mutate(original, random);
            string outcome;
            try
            {
                ImageHeader.TryReadSize(mutated, decoder.Validate(mutated), out _, out _);
                decoder.DecodeResized(mutated, 8, 8);
                outcome = "decoded";
            }
            catch (InvalidImageException e)
            {
                outcome = e.Kind.ToString();
            }
            catch (Exception e)
            {
                Assert.Fail($"{format} mutation {i} ({Convert.ToHexString(mutated.AsSpan(0, Math.Min(32, mutated.Length)))}...) escaped as {e.GetType().Name}: {e.Message}");
                return;
            }
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        output.WriteLine($"{format}: {string.Join(", ", outcomes.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}"))}");
        // The mutations reached past the signature: some decoded, some were refused for what followed it.
        Assert.True(outcomes.GetValueOrDefault("decoded") > 0, $"no mutation of {format} decoded: {string.Join(", ", outcomes)}");
        Assert.True(outcomes.Count >= 3, $"the mutations of {format} met too few outcomes to mean much: {string.Join(", ", outcomes)}");
    }

    private static byte[] Seed(string format) => format switch
    {
        "gif" => TestImages.TwoColumnGif(SKColors.Red, SKColors.Blue),
        "bmp" => TestImages.TwoRowBmp(SKColors.Green, SKColors.White),
        _ => Encode(TestImages.NoisePng(24, 16, seed: 7), format == "jpeg" ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Webp, format),
    };

    private static byte[] Encode(byte[] png, SKEncodedImageFormat target, string format)
    {
        if (format == "png")
            return png;
        using var bitmap = SKBitmap.Decode(png);
        using var data = bitmap.Encode(target, 90);
        return data.ToArray();
    }

    /// <summary>One to four edits, mostly within the first 64 bytes where the signature and the header live.</summary>
    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        int edits = random.Next(1, 5);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(Math.Min(bytes.Count, random.Next(4) == 0 ? bytes.Count : 64));
            switch (random.Next(5))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = Boundaries[random.Next(Boundaries.Length)]; break;
                case 2: bytes.Insert(at, (byte)random.Next(256)); break;
                case 3: bytes.RemoveAt(at); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return [.. bytes];
    }
}
