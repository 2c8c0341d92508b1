using Classifier.Datasets;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Datasets;

public sealed class ImageFolderDatasetTests
{
    [Fact]
    public void Load_MissingFolder_NamesThePath()
    {
        using var root = new TemporaryDirectory("dataset");

        var error = Assert.Throws<DirectoryNotFoundException>(() => ImageFolderDataset.Load(root.Path, "train"));

        Assert.Contains(root.Combine("train"), error.Message);
    }

    [Fact]
    public void Load_NoClassFolders_NamesThePathAndTheExpectedLayout()
    {
        using var root = new TemporaryDirectory("dataset");
        Touch(root.Combine("train", "stray.png"));

        var error = Assert.Throws<InvalidDataException>(() => ImageFolderDataset.Load(root.Path, "train"));

        Assert.Contains(root.Combine("train"), error.Message);
        Assert.Contains("<label>", error.Message);
    }

    [Fact]
    public void Load_OnlyHiddenFolders_IsRefusedLikeNoClassFolders()
    {
        using var root = new TemporaryDirectory("dataset");
        Touch(root.Combine("train", ".git", "x.png"));
        Touch(root.Combine("train", ".thumbnails", "y.png"));

        var error = Assert.Throws<InvalidDataException>(() => ImageFolderDataset.Load(root.Path, "train"));

        Assert.Contains(root.Combine("train"), error.Message);
    }

    [Fact]
    public void Load_ClassFolderWithoutImages_NamesTheFolder()
    {
        using var root = new TemporaryDirectory("dataset");
        Touch(root.Combine("train", "cat", "1.png"));
        Touch(root.Combine("train", "dog", "notes.txt"));

        var error = Assert.Throws<InvalidDataException>(() => ImageFolderDataset.Load(root.Path, "train"));

        Assert.Contains(root.Combine("train", "dog"), error.Message);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("-dash")]
    [InlineData("a..b")]
    public void Load_InvalidClassFolderName_NamesTheFolderAndWhy(string label)
    {
        using var root = new TemporaryDirectory("dataset");
        Touch(root.Combine("train", "cat", "1.png"));
        Touch(root.Combine("train", label, "1.png"));

        var error = Assert.Throws<InvalidDataException>(() => ImageFolderDataset.Load(root.Path, "train"));

        Assert.Contains(root.Combine("train", label), error.Message);
        Assert.Contains("not a valid label", error.Message);
    }

    [Fact]
    public void Load_NonImageAndHiddenFiles_AreIgnoredAndExtensionCaseIsNot()
    {
        using var root = new TemporaryDirectory("dataset");
        string[] images = ["a.png", "b.JPG", "c.jpeg", "d.gif", "e.bmp", "f.WebP"];
        string[] ignored = ["notes.txt", "labels.csv", "g.tiff", "h.png.bak", ".DS_Store", "._a.png", "noextension"];
        foreach (var name in images.Concat(ignored))
            Touch(root.Combine("train", "cat", name));
        Touch(root.Combine("train", "README.md"));

        var files = ImageFolderDataset.Load(root.Path, "train");

        Assert.Equal(images.Select(n => root.Combine("train", "cat", n)), files.Select(f => f.Path));
        Assert.All(files, f => Assert.Equal("cat", f.Label));
    }

    [Fact]
    public void Load_FilesCreatedInAnyOrder_AreListedByOrdinalLabelThenPath()
    {
        using var root = new TemporaryDirectory("dataset");
        (string Label, string File)[] created = [("dog", "10.png"), ("Cat", "b.png"), ("dog", "2.png"), ("cat", "a.png"), ("Cat", "a.png"), ("dog", "1.png")];
        foreach (var (label, file) in created)
            Touch(root.Combine("train", label, file));

        var files = ImageFolderDataset.Load(root.Path, "train");

        Assert.Equal(
            ["Cat/a.png", "Cat/b.png", "cat/a.png", "dog/1.png", "dog/10.png", "dog/2.png"],
            files.Select(f => $"{f.Label}/{Path.GetFileName(f.Path)}"));
    }

    [Fact]
    public void Load_SameTreeTwice_GivesTheSameList()
    {
        using var root = new TemporaryDirectory("dataset");
        for (int i = 0; i < 20; i++)
            Touch(root.Combine("test", $"class{i % 3}", $"{(i * 7919) % 100}.png"));

        var first = ImageFolderDataset.Load(root.Path, "test");
        var second = ImageFolderDataset.Load(root.Path, "test");

        Assert.Equal(20, first.Count);
        Assert.Equal(first, second);
    }

    private static void Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
    }
}
