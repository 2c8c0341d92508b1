using Classifier.Images;
using Classifier.Privacy;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Privacy;

/// <summary>The stored form: sealed under the ring's key, opened by any key of the ring, refused when altered or moved.</summary>
public sealed class SealedImageTests
{
    private static readonly byte[] Image = [.. "the pixels of an image"u8];
    private static readonly string Hash = ContentHash.Of(Image);

    [Fact]
    public void Open_WhatWasSealed_GivesTheImageAndNamesTheKey()
    {
        var keys = TestKeys.NewRing();

        var opened = SealedImage.Open(keys, Hash, SealedImage.Seal(keys.Current, Hash, Image));

        Assert.Equal(Image, opened.Image);
        Assert.Same(keys.Current, opened.Key);
        Assert.Null(opened.Problem);
    }

    [Fact]
    public void Open_ABlobWithOneBitChangedAnywhere_IsAProblemNeverAnImage()
    {
        var keys = TestKeys.NewRing();
        var blob = SealedImage.Seal(keys.Current, Hash, Image);

        for (int i = 0; i < blob.Length; i++)
        {
            var altered = blob.ToArray();
            altered[i] ^= 0x01;
            var opened = SealedImage.Open(keys, Hash, altered);
            Assert.Null(opened.Image);
            Assert.NotNull(opened.Problem);
        }
    }

    [Fact]
    public void Open_UnderAnotherImagesName_IsAProblem()
    {
        var keys = TestKeys.NewRing();
        var blob = SealedImage.Seal(keys.Current, Hash, Image);

        var opened = SealedImage.Open(keys, ContentHash.Of([1, 2, 3]), blob);

        Assert.Null(opened.Image);
        Assert.Contains("does not authenticate", opened.Problem);
    }

    [Fact]
    public void Open_WithAKeyRingThatLacksTheKey_NamesTheKeyIdAndTheSettings()
    {
        var sealedWith = TestKeys.NewRing();
        var blob = SealedImage.Seal(sealedWith.Current, Hash, Image);

        var opened = SealedImage.Open(TestKeys.NewRing(), Hash, blob);

        Assert.Null(opened.Image);
        Assert.Contains(sealedWith.Current.IdText, opened.Problem);
        Assert.Contains("PreviousEncryptionKeys", opened.Problem);
    }

    [Fact]
    public void Open_AnImageKeptBeforeEncryption_IsReadOnlyWhenItsHashMatchesItsName()
    {
        var keys = TestKeys.NewRing();

        var legacy = SealedImage.Open(keys, Hash, Image);
        var torn = SealedImage.Open(keys, Hash, Image[..^3]);

        Assert.Equal((Image, (EncryptionKey?)null), (legacy.Image, legacy.Key));
        Assert.Null(torn.Image);
        Assert.NotNull(torn.Problem);
    }
}
