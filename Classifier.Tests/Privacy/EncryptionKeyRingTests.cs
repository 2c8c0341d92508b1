using Classifier.Privacy;
using Classifier.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Classifier.Tests.Privacy;

/// <summary>Where the key of stored images comes from: configuration, or a key file the embedded default makes once.</summary>
public sealed class EncryptionKeyRingTests
{
    [Fact]
    public void FromOptions_WithNoKeyConfigured_MakesAnOwnerOnlyKeyFileOnceAndSaysSo()
    {
        using var state = new TemporaryDirectory("keys");
        var options = new ClassifierOptions { StatePath = state.Combine("state") };
        using var logs = new CapturingLoggerProvider();

        var first = EncryptionKeyRing.FromOptions(options, logs.CreateLogger("keys"));
        var again = EncryptionKeyRing.FromOptions(options, logs.CreateLogger("keys"));

        Assert.Equal(first.Current.Material, again.Current.Material);
        var file = state.Combine("state", EncryptionKeyRing.KeyFileName);
        Assert.Equal(first.Current.Material, Convert.FromBase64String(File.ReadAllText(file)));
        var created = Assert.Single(logs.Entries);
        Assert.Contains(file, created.Message);
        Assert.Contains("Classifier__Storage__EncryptionKey", created.Message);
        Assert.DoesNotContain(File.ReadAllText(file), created.Message);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnly.FileMode, File.GetUnixFileMode(file));
            Assert.Equal(OwnerOnly.FolderMode, File.GetUnixFileMode(state.Combine("state")));
        }
    }

    [Fact]
    public void FromOptions_WithAKeyConfiguredAfterTheKeyFile_SealsWithTheConfiguredKeyAndStillOpensWithTheFilesKey()
    {
        using var state = new TemporaryDirectory("keys");
        var fileKey = EncryptionKeyRing.FromOptions(new ClassifierOptions { StatePath = state.Path }).Current;
        var configured = TestKeys.NewKeyText();

        var keys = EncryptionKeyRing.FromOptions(new ClassifierOptions { StatePath = state.Path, Storage = { EncryptionKey = configured } });

        Assert.Equal(Convert.FromBase64String(configured), keys.Current.Material);
        Assert.Equal(fileKey.Material, keys.Find(fileKey.Id)?.Material);
    }

    [Fact]
    public void FromOptions_WithPreviousKeys_FindsEachByItsId()
    {
        using var state = new TemporaryDirectory("keys");
        string older = TestKeys.NewKeyText(), oldest = TestKeys.NewKeyText();
        var options = new ClassifierOptions { StatePath = state.Path, Storage = { EncryptionKey = TestKeys.NewKeyText(), PreviousEncryptionKeys = $"{older}, {oldest}" } };

        var keys = EncryptionKeyRing.FromOptions(options);

        foreach (var text in new[] { older, oldest })
        {
            var key = new EncryptionKey(Convert.FromBase64String(text));
            Assert.Equal(key.Material, keys.Find(key.Id)?.Material);
        }
    }
}
