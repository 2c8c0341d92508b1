using Classifier.Storage;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests;

/// <summary>The one options model: every section's problems reported together, before anything is loaded.</summary>
public sealed class ClassifierOptionsTests
{
    [Fact]
    public void Problems_WhenValid_IsEmpty()
    {
        Assert.Empty(new ClassifierOptions().Problems());
    }

    [Fact]
    public void Problems_InferenceOutOfRange_NamesEverySetting()
    {
        var options = new ClassifierOptions();
        options.Inference.MaxBatch = 0;
        options.Inference.MaxBatchDelay = TimeSpan.FromSeconds(2);
        options.Inference.PendingLogCapacity = -1;
        options.Inference.PendingLogMaxBytes = 0;
        options.Inference.LogBatchSize = 0;

        var problems = string.Join(" ", options.Problems());

        foreach (var setting in new[] { "Inference:MaxBatch ", "Inference:MaxBatchDelay", "Inference:PendingLogCapacity", "Inference:PendingLogMaxBytes", "Inference:LogBatchSize" })
            Assert.Contains(setting, problems);
    }

    [Theory]
    [InlineData(null, Classifier.Storage.StorageProvider.Sqlite, 1024)]
    [InlineData(null, Classifier.Storage.StorageProvider.PostgreSql, 0)] // a correction may reach a replica that cannot see this queue
    [InlineData(64, Classifier.Storage.StorageProvider.PostgreSql, 64)]
    [InlineData(0, Classifier.Storage.StorageProvider.Sqlite, 0)]
    public void PendingLogCapacity_DefaultsByProvider_AndASetValueWins(int? setting, Classifier.Storage.StorageProvider provider, int expected)
    {
        var options = new Classifier.Serving.InferenceOptions { PendingLogCapacity = setting };

        Assert.Equal(expected, options.PendingLogCapacityWith(provider));
    }

    [Fact]
    public void Problems_Int8WithoutItsModel_SaysToRunQuantizeAndSetTheSetting()
    {
        var options = new ClassifierOptions { Backbone = { Precision = Classifier.Features.BackbonePrecision.Int8 } };

        var problem = Assert.Single(options.Problems());

        Assert.Contains("quantize", problem);
        Assert.Contains("Classifier:Backbone:Int8ModelPath", problem);
    }

    [Fact]
    public void Workspace_WithInvalidSettingsInSeveralSections_ThrowsOneErrorNamingEach()
    {
        using var folder = new TemporaryDirectory("options");
        var options = new ClassifierOptions
        {
            ModelsPath = folder.Combine("models"),
            Training = { MaximumIterations = 0 },
            Retrain = { EvaluationShare = 1.5 },
            Cascade = { MaxAccuracyLoss = 2 },
            Backbone = { ThumbnailFeatures = 100 },
        };

        var error = Assert.Throws<ArgumentException>(() => new ClassifierWorkspace(options));

        Assert.Contains("Training:MaximumIterations", error.Message);
        Assert.Contains("Retrain:EvaluationShare", error.Message);
        Assert.Contains("Cascade:MaxAccuracyLoss", error.Message);
        Assert.Contains("Backbone:ThumbnailFeatures", error.Message);
        Assert.False(Directory.Exists(options.ModelsPath), "nothing is created before the options are valid");
    }

    [Theory]
    [InlineData(null, "ConnectionStrings:Classifier")]
    [InlineData("  ", "ConnectionStrings:Classifier")]
    [InlineData("Host=db;NoSuchKeyword=1", "not a valid PostgreSQL connection string")]
    public void Problems_WithPostgreSqlAndNoUsableConnectionString_NameTheSetting(string? connectionString, string expected)
    {
        var options = new ClassifierOptions { Storage = { Provider = StorageProvider.PostgreSql, ConnectionString = connectionString } };

        Assert.Contains(options.Problems(), problem => problem.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not base64 at all!", "Classifier__Storage__EncryptionKey) is not valid base64")]
    [InlineData("c2hvcnQ=", "Classifier__Storage__EncryptionKey) decodes to 5 bytes")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", "decodes to 34 bytes")]
    public void Problems_WithAnEncryptionKeyThatIsNot32BytesOfBase64_NameTheSettingButNeverTheKey(string key, string expected)
    {
        var options = new ClassifierOptions { Storage = { EncryptionKey = key } };

        var problem = Assert.Single(options.Problems());

        Assert.Contains(expected, problem);
        Assert.DoesNotContain(key, problem);
    }

    [Fact]
    public void Problems_WithABadPreviousKey_SayWhichOne()
    {
        var options = new ClassifierOptions { Storage = { EncryptionKey = TestKeys.NewKeyText(), PreviousEncryptionKeys = $"{TestKeys.NewKeyText()},c2hvcnQ=" } };

        var problem = Assert.Single(options.Problems());

        Assert.Contains("Classifier__Storage__PreviousEncryptionKeys): key 2 of 2 decodes to 5 bytes", problem);
    }

    [Fact]
    public void Problems_WithPostgreSqlAndNoEncryptionKey_NameTheSetting()
    {
        var options = new ClassifierOptions { Storage = { Provider = StorageProvider.PostgreSql, ConnectionString = "Host=db;Database=classifier" } };

        var problem = Assert.Single(options.Problems());

        Assert.Contains("Classifier__Storage__EncryptionKey", problem);
        options.Storage.EncryptionKey = TestKeys.NewKeyText();
        Assert.Empty(options.Problems());
    }

    [Fact]
    public void Problems_WithSqliteByDefault_NeedNoConnectionString()
    {
        var options = new ClassifierOptions();

        Assert.Equal(StorageProvider.Sqlite, options.Storage.Provider);
        Assert.Empty(options.Problems());
    }
}
