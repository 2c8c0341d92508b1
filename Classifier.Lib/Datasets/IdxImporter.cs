using System.Buffers.Binary;
using System.IO.Compression;
using SkiaSharp;

namespace Classifier.Datasets;

/// <summary>
/// Writes an IDX image/label pair (the MNIST family's format, optionally gzip-compressed) as a folder-per-class
/// dataset of grayscale PNGs, taking the first <c>perClass</c> images of each class in file order.
/// </summary>
public static class IdxImporter
{
    /// <summary>Fashion-MNIST's ten classes, in label order 0–9.</summary>
    public static IReadOnlyList<string> FashionMnistLabels { get; } =
        ["tshirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"];

    /// <summary>
    /// Imports up to <paramref name="perClass"/> images of each class into <c>outputFolder/&lt;label&gt;/&lt;index&gt;.png</c>
    /// (index = position in the IDX file, so samples of different sizes share names). Returns the count written per label.
    /// </summary>
    public static IReadOnlyDictionary<string, int> Import(string imagesPath, string labelsPath, string outputFolder,
        int perClass, IReadOnlyList<string>? labelNames = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perClass);
        labelNames ??= FashionMnistLabels;
        foreach (var name in labelNames)
            LabelName.Validate(name);

        var labels = ReadLabels(labelsPath);
        var (count, rows, columns, pixels) = ReadImages(imagesPath);
        if (count != labels.Length)
            throw new InvalidDataException($"'{imagesPath}' holds {count} images but '{labelsPath}' holds {labels.Length} labels.");

        var written = labelNames.ToDictionary(n => n, _ => 0);
        int imageSize = rows * columns;
        for (int i = 0; i < count; i++)
        {
            int label = labels[i];
            if (label >= labelNames.Count)
                throw new InvalidDataException($"Label {label} at index {i} of '{labelsPath}' has no name; {labelNames.Count} names were given.");
            var name = labelNames[label];
            if (written[name] >= perClass)
                continue;
            var folder = Path.Combine(outputFolder, name);
            Directory.CreateDirectory(folder);
            WriteGrayPng(Path.Combine(folder, $"{i:D5}.png"), pixels.AsSpan(i * imageSize, imageSize), columns, rows);
            written[name]++;
            if (written.Values.All(v => v >= perClass))
                break;
        }
        return written;
    }

    private static Stream Open(string path)
    {
        var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        int read = file.Read(magic);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1F && magic[1] == 0x8B ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private static byte[] ReadAll(string path)
    {
        using var stream = Open(path);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static byte[] ReadLabels(string path)
    {
        var data = ReadAll(path);
        if (data.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(data) != 0x00000801)
            throw new InvalidDataException($"'{path}' is not an IDX label file (magic 0x00000801).");
        int count = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
        // Compared in 64 bits and sign-checked: a damaged header (count near int.MaxValue, or negative) must be
        // reported with the file's name, not overflow into an ArgumentOutOfRangeException from AsSpan.
        if (count < 0 || data.Length < 8L + count)
            throw new InvalidDataException($"'{path}' announces {count} labels but holds {data.Length - 8}.");
        return data.AsSpan(8, count).ToArray();
    }

    private static (int Count, int Rows, int Columns, byte[] Pixels) ReadImages(string path)
    {
        var data = ReadAll(path);
        if (data.Length < 16 || BinaryPrimitives.ReadInt32BigEndian(data) != 0x00000803)
            throw new InvalidDataException($"'{path}' is not an IDX image file (magic 0x00000803).");
        int count = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(8));
        int columns = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(12));
        // Negative sizes can multiply to the right byte count (8 × -28 × -28); refuse them by sign first.
        if (count < 0 || rows <= 0 || columns <= 0 || (long)count * rows * columns != data.Length - 16)
            throw new InvalidDataException($"'{path}' announces {count} images of {rows}×{columns} but holds {data.Length - 16} pixel bytes.");
        return (count, rows, columns, data[16..]);
    }

    private static void WriteGrayPng(string path, ReadOnlySpan<byte> pixels, int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        pixels.CopyTo(bitmap.GetPixelSpan());
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }
}
