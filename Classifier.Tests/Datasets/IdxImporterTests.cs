using System.Buffers.Binary;
using System.IO.Compression;
using Classifier.Datasets;
using Classifier.Tests.Infrastructure;
using SkiaSharp;

namespace Classifier.Tests.Datasets;

public sealed class IdxImporterTests
{
    private const int Rows = 3;
    private const int Columns = 4; // not square, so a rows/columns mix-up shows
    private static readonly string[] Names = ["alpha", "beta", "gamma"];
    private static readonly byte[] Labels = [0, 1, 0, 2, 0, 1, 2, 1];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Import_IdxPair_WritesTheFirstNOfEachClassWithTheirPixels(bool gzip)
    {
        using var work = new TemporaryDirectory("idx");
        var (images, labels) = WritePair(work, gzip, ImageFile(Labels.Length), LabelFile(Labels));
        var output = work.Combine("out");

        var written = IdxImporter.Import(images, labels, output, perClass: 2, Names);

        Assert.Equal(new Dictionary<string, int> { ["alpha"] = 2, ["beta"] = 2, ["gamma"] = 2 }, written);
        Assert.Equal(["00000.png", "00002.png"], FileNames(output, "alpha"));
        Assert.Equal(["00001.png", "00005.png"], FileNames(output, "beta"));
        Assert.Equal(["00003.png", "00006.png"], FileNames(output, "gamma"));
        foreach (var file in Directory.EnumerateFiles(output, "*.png", SearchOption.AllDirectories))
        {
            int index = int.Parse(Path.GetFileNameWithoutExtension(file), System.Globalization.CultureInfo.InvariantCulture);
            using var bitmap = SKBitmap.Decode(file);
            Assert.Equal((Columns, Rows), (bitmap.Width, bitmap.Height));
            for (int y = 0; y < Rows; y++)
                for (int x = 0; x < Columns; x++)
                {
                    var pixel = bitmap.GetPixel(x, y);
                    byte expected = PixelValue(index, y * Columns + x);
                    Assert.Equal((expected, expected, expected), (pixel.Red, pixel.Green, pixel.Blue));
                }
        }
    }

    [Fact]
    public void Import_ClassWithFewerImagesThanAsked_WritesWhatThereIs()
    {
        using var work = new TemporaryDirectory("idx");
        var (images, labels) = WritePair(work, false, ImageFile(Labels.Length), LabelFile(Labels));

        var written = IdxImporter.Import(images, labels, work.Combine("out"), perClass: 3, Names);

        Assert.Equal(3, written["alpha"]);
        Assert.Equal(3, written["beta"]);
        Assert.Equal(2, written["gamma"]);
        Assert.Equal(8, Directory.GetFiles(work.Combine("out"), "*.png", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void Import_ImagesFileWithWrongMagic_ThrowsNamingTheFile()
    {
        using var work = new TemporaryDirectory("idx");
        var (images, labels) = WritePair(work, false, LabelFile(Labels), LabelFile(Labels));

        var error = Assert.Throws<InvalidDataException>(() => IdxImporter.Import(images, labels, work.Combine("out"), 1, Names));

        Assert.Contains(images, error.Message);
        Assert.Contains("0x00000803", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Import_LabelsFileWithWrongMagic_ThrowsNamingTheFile(bool gzip)
    {
        using var work = new TemporaryDirectory("idx");
        var (images, labels) = WritePair(work, gzip, ImageFile(Labels.Length), ImageFile(Labels.Length));

        var error = Assert.Throws<InvalidDataException>(() => IdxImporter.Import(images, labels, work.Combine("out"), 1, Names));

        Assert.Contains(labels, error.Message);
    }

    [Fact]
    public void Import_CountMismatch_ThrowsNamingBothFiles()
    {
        using var work = new TemporaryDirectory("idx");
        var (images, labels) = WritePair(work, false, ImageFile(Labels.Length - 1), LabelFile(Labels));

        var error = Assert.Throws<InvalidDataException>(() => IdxImporter.Import(images, labels, work.Combine("out"), 1, Names));

        Assert.Contains(images, error.Message);
        Assert.Contains(labels, error.Message);
    }

    [Fact]
    public void Import_ImagesFileShorterThanItsHeaderSays_ThrowsNamingTheFile()
    {
        using var work = new TemporaryDirectory("idx");
        var (images, labels) = WritePair(work, false, ImageFile(Labels.Length)[..^5], LabelFile(Labels));

        var error = Assert.Throws<InvalidDataException>(() => IdxImporter.Import(images, labels, work.Combine("out"), 1, Names));

        Assert.Contains(images, error.Message);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(int.MaxValue)] // 8 + count must not overflow into a negative length
    [InlineData(-1)]
    public void Import_LabelsFileAnnouncingMoreThanItHolds_ThrowsNamingTheFile(int announced)
    {
        using var work = new TemporaryDirectory("idx");
        var labelFile = LabelFile(Labels);
        BinaryPrimitives.WriteInt32BigEndian(labelFile.AsSpan(4), announced);
        var (images, labels) = WritePair(work, false, ImageFile(Labels.Length), labelFile);

        var error = Assert.Throws<InvalidDataException>(() => IdxImporter.Import(images, labels, work.Combine("out"), 1, Names));

        Assert.Contains(labels, error.Message);
    }

    [Fact]
    public void Import_ImagesFileWithNegativeDimensions_ThrowsNamingTheFile()
    {
        using var work = new TemporaryDirectory("idx");
        var imageFile = ImageFile(Labels.Length);
        // 8 × -3 × -4 equals the 96 pixel bytes held and the count agrees with the labels: only a sign check catches it.
        BinaryPrimitives.WriteInt32BigEndian(imageFile.AsSpan(8), -Rows);
        BinaryPrimitives.WriteInt32BigEndian(imageFile.AsSpan(12), -Columns);
        var (images, labels) = WritePair(work, false, imageFile, LabelFile(Labels));

        var error = Assert.Throws<InvalidDataException>(() => IdxImporter.Import(images, labels, work.Combine("out"), 1, Names));

        Assert.Contains(images, error.Message);
    }

    [Fact]
    public void Import_LabelWithoutAName_ThrowsNamingTheIndex()
    {
        using var work = new TemporaryDirectory("idx");
        var (images, labels) = WritePair(work, false, ImageFile(3), LabelFile([0, 1, 7]));

        var error = Assert.Throws<InvalidDataException>(() => IdxImporter.Import(images, labels, work.Combine("out"), 5, Names));

        Assert.Contains("Label 7 at index 2", error.Message);
    }

    [Fact]
    public void Import_InvalidLabelName_IsRefusedBeforeAnythingIsWritten()
    {
        using var work = new TemporaryDirectory("idx");
        var (images, labels) = WritePair(work, false, ImageFile(Labels.Length), LabelFile(Labels));

        Assert.Throws<ArgumentException>(() => IdxImporter.Import(images, labels, work.Combine("out"), 1, ["alpha", "../beta", "gamma"]));

        Assert.False(Directory.Exists(work.Combine("out")));
    }

    [Fact]
    public void FashionMnistLabels_AreTenValidNames()
    {
        var labels = IdxImporter.FashionMnistLabels;

        Assert.Equal(10, labels.Count);
        Assert.Equal(10, labels.Distinct().Count());
        Assert.All(labels, l => Assert.True(LabelName.IsValid(l, out _)));
    }

    private static byte PixelValue(int image, int pixel) => (byte)(image * 31 + pixel * 7);

    private static byte[] ImageFile(int count)
    {
        var file = new byte[16 + count * Rows * Columns];
        BinaryPrimitives.WriteInt32BigEndian(file, 0x00000803);
        BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(8), Rows);
        BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(12), Columns);
        for (int i = 0; i < count; i++)
            for (int p = 0; p < Rows * Columns; p++)
                file[16 + i * Rows * Columns + p] = PixelValue(i, p);
        return file;
    }

    private static byte[] LabelFile(byte[] labels)
    {
        var file = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(file, 0x00000801);
        BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(4), labels.Length);
        labels.CopyTo(file, 8);
        return file;
    }

    private static (string Images, string Labels) WritePair(TemporaryDirectory work, bool gzip, byte[] images, byte[] labels)
    {
        string suffix = gzip ? ".gz" : "";
        var imagesPath = work.Combine("images-idx3-ubyte" + suffix);
        var labelsPath = work.Combine("labels-idx1-ubyte" + suffix);
        Write(imagesPath, images, gzip);
        Write(labelsPath, labels, gzip);
        return (imagesPath, labelsPath);
    }

    private static void Write(string path, byte[] content, bool gzip)
    {
        using var file = File.Create(path);
        if (!gzip)
        {
            file.Write(content);
            return;
        }
        using var compressed = new GZipStream(file, CompressionLevel.Optimal);
        compressed.Write(content);
    }

    private static string[] FileNames(string output, string label) =>
        Directory.GetFiles(Path.Combine(output, label)).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();
}
