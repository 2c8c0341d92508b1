using Classifier.Feedback;
using Classifier.Images;
using Classifier.Privacy;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Feedback;

/// <summary>What every <see cref="IImageStore"/> must do. A backend's test class derives from this and says how to open its store over the test's own state.</summary>
public abstract class ImageStoreContract : IAsyncLifetime
{
    private static readonly byte[] Bytes = [.. "the bytes of an image"u8];
    private static readonly string Hash = ContentHash.Of(Bytes);

    /// <summary>The keys <see cref="CreateStore()"/> seals with.</summary>
    private protected EncryptionKeyRing Keys { get; } = TestKeys.NewRing();

    /// <summary>Opens the store under test over this test's state; a second call opens the same state again, as a restarted process would.</summary>
    protected IImageStore CreateStore() => CreateStore(Keys);

    /// <summary>Opens the store under test over this test's state, sealing with <paramref name="keys"/>.</summary>
    private protected abstract IImageStore CreateStore(EncryptionKeyRing keys);

    /// <summary>What the backend holds under <paramref name="hash"/>, as it holds it.</summary>
    protected abstract Task<byte[]> ReadBlobAsync(string hash);

    /// <summary>Replaces what the backend holds under <paramref name="hash"/> (damage, or an image kept by an earlier build).</summary>
    protected abstract Task WriteBlobAsync(string hash, byte[] blob);

    /// <summary>Deletes this test's state.</summary>
    protected abstract Task DeleteStateAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => DeleteStateAsync();

    [DatabaseFact]
    public async Task ReadAsync_AfterPut_ReturnsTheBytes()
    {
        var store = CreateStore();

        await store.PutAsync(Hash, Bytes);

        Assert.Equal(Bytes, await store.ReadAsync(Hash));
    }

    [DatabaseFact]
    public async Task PutAsync_TwiceWithTheSameImage_KeepsItOnce()
    {
        var store = CreateStore();
        await store.PutAsync(Hash, Bytes);

        await store.PutAsync(Hash, Bytes);

        Assert.Equal(Bytes, await store.ReadAsync(Hash));
    }

    [DatabaseFact]
    public async Task ReadAsync_WhenNotKept_ReturnsNull()
    {
        var store = CreateStore();
        await store.PutAsync(Hash, Bytes);

        Assert.Null(await store.ReadAsync(ContentHash.Of([1, 2, 3])));
    }

    [DatabaseTheory]
    [InlineData("../../../etc/passwd")]
    [InlineData("")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")] // upper case
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678")] // 63 digits
    [InlineData("ab/def0123456789abcdef0123456789abcdef0123456789abcdef0123456789")]
    public async Task PutAndRead_WithAStringThatIsNotAContentHash_ThrowArgumentException(string hash)
    {
        var store = CreateStore();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.PutAsync(hash, Bytes));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ReadAsync(hash));
    }

    [DatabaseFact]
    public async Task PutAndRead_WithACancelledToken_ThrowOperationCanceledAndKeepNothing()
    {
        var store = CreateStore();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.PutAsync(Hash, Bytes, cancellation.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ReadAsync(Hash, cancellation.Token));

        Assert.Null(await store.ReadAsync(Hash));
    }

    [DatabaseFact]
    public async Task CreateStore_OverTheSameState_ReadsWhatAnEarlierStorePut()
    {
        await CreateStore().PutAsync(Hash, Bytes);

        var reopened = CreateStore();

        Assert.Equal(Bytes, await reopened.ReadAsync(Hash));
    }

    [DatabaseFact]
    public async Task PutAsync_KeepsNoByteOfTheImageInTheClear()
    {
        await CreateStore().PutAsync(Hash, Bytes);

        var blob = await ReadBlobAsync(Hash);

        Assert.True(SealedImage.IsSealedWith(blob, Keys.Current));
        Assert.Equal(-1, blob.AsSpan().IndexOf(Bytes.AsSpan(4, 12)));
    }

    [DatabaseFact]
    public async Task ReadAsync_AfterTheKeyRotated_OpensOldImagesAndReencryptMovesThemToTheNewKey()
    {
        var old = TestKeys.NewRing();
        await CreateStore(old).PutAsync(Hash, Bytes);
        var rotated = new EncryptionKeyRing(TestKeys.NewRing().Current, [old.Current]);
        var store = CreateStore(rotated);
        byte[] newer = [.. "an image stored after the rotation"u8];
        await store.PutAsync(ContentHash.Of(newer), newer);
        var withoutTheOldKey = CreateStore(new EncryptionKeyRing(rotated.Current, []));

        Assert.Equal(Bytes, await store.ReadAsync(Hash));
        Assert.Null(await withoutTheOldKey.ReadAsync(Hash)); // removed before reencrypt ran: unreadable, never a crash

        var report = await ((ISealedImageStore)store).ReencryptAsync(CancellationToken.None);

        Assert.Equal(new ReencryptionReport(rotated.Current.IdText, 2, 1, 1, 0), report);
        Assert.True(SealedImage.IsSealedWith(await ReadBlobAsync(Hash), rotated.Current));
        Assert.Equal(Bytes, await withoutTheOldKey.ReadAsync(Hash));
        Assert.Equal(newer, await withoutTheOldKey.ReadAsync(ContentHash.Of(newer)));
    }

    [DatabaseTheory]
    [InlineData("flipped")]
    [InlineData("torn")]
    public async Task ReadAsync_WhenTheKeptBlobIsDamaged_ReturnsNullAndTheNextPutWritesItAgain(string damage)
    {
        var store = CreateStore();
        await store.PutAsync(Hash, Bytes);
        var blob = await ReadBlobAsync(Hash);
        if (damage == "flipped")
            blob[^1] ^= 0x40;
        else
            blob = blob[..(SealedImage.HeaderLength + 3)];
        await WriteBlobAsync(Hash, blob);

        Assert.Null(await store.ReadAsync(Hash));

        await store.PutAsync(Hash, Bytes);

        Assert.Equal(Bytes, await store.ReadAsync(Hash));
        Assert.True(SealedImage.IsSealedWith(await ReadBlobAsync(Hash), Keys.Current));
    }

    [DatabaseFact]
    public async Task ReencryptAsync_AnImageKeptInTheClearByAnEarlierBuild_IsDeidentifiedAndSealed()
    {
        var photo = ExifJpeg.Create();
        var hash = ContentHash.Of(photo.Bytes);
        await WriteBlobAsync(hash, photo.Bytes);
        var store = CreateStore();
        Assert.Equal(photo.Bytes, await store.ReadAsync(hash));

        var report = await ((ISealedImageStore)store).ReencryptAsync(CancellationToken.None);

        Assert.Equal((1, 1), (report.Examined, report.Reencrypted));
        Assert.True(SealedImage.IsSealedWith(await ReadBlobAsync(hash), Keys.Current));
        Assert.Equal(ImageDeidentifier.Strip(photo.Bytes), await store.ReadAsync(hash));
    }
}
