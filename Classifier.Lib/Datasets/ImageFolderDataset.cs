namespace Classifier.Datasets;

/// <summary>
/// A dataset laid out as one folder per class: <c>ROOT/train/&lt;label&gt;/*.png</c> and <c>ROOT/test/&lt;label&gt;/*</c>.
/// Files are taken by image extension and sorted by path, so the order is the same on every machine.
/// </summary>
public static class ImageFolderDataset
{
    /// <summary>File extensions read as images (case-insensitive).</summary>
    public static IReadOnlySet<string> ImageExtensions { get; } =
        new HashSet<string>([".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Lists <c>root/split/&lt;label&gt;/*</c>; throws with the offending path when a folder is missing, empty or badly named.</summary>
    public static IReadOnlyList<LabeledImageFile> Load(string root, string split)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        return LoadClasses(Path.Combine(root, split));
    }

    /// <summary>Lists <c>folder/&lt;label&gt;/*</c>.</summary>
    public static IReadOnlyList<LabeledImageFile> LoadClasses(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException($"Dataset folder not found: '{full}'. Expected one sub-folder per class.");

        // Hidden folders (.git, .thumbnails) are skipped before the emptiness check: a split holding only those
        // must be refused here, not returned as an empty dataset.
        var classFolders = Directory.GetDirectories(full)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (classFolders.Length == 0)
            throw new InvalidDataException($"Dataset folder '{full}' has no class folders; expected '{full}{Path.DirectorySeparatorChar}<label>{Path.DirectorySeparatorChar}*.png'.");

        var files = new List<LabeledImageFile>();
        foreach (var classFolder in classFolders)
        {
            var label = Path.GetFileName(classFolder);
            if (!LabelName.IsValid(label, out var error))
                throw new InvalidDataException($"Class folder '{classFolder}': {error}");
            var images = Directory.EnumerateFiles(classFolder)
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f)) && !Path.GetFileName(f).StartsWith('.'))
                .Order(StringComparer.Ordinal)
                .ToArray();
            if (images.Length == 0)
                throw new InvalidDataException($"Class folder '{classFolder}' has no images ({string.Join(", ", ImageExtensions)}).");
            files.AddRange(images.Select(path => new LabeledImageFile(path, label)));
        }
        return files;
    }
}
