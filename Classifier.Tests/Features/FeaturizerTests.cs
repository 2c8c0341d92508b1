using Classifier.Features;
using Classifier.Images;
using Classifier.Tests.Infrastructure;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace Classifier.Tests.Features;

/// <summary>The real ResNet18 (about 30 ms an image): a handful of images, one backbone for the whole class.</summary>
[Collection(SampleCollection.Name)]
public sealed class FeaturizerTests(SampleFixture sample, FeaturizerTests.BackboneFixture fixture) : IClassFixture<FeaturizerTests.BackboneFixture>
{
    /// <summary>One loaded backbone shared by the tests of this class.</summary>
    public sealed class BackboneFixture : IDisposable
    {
        internal OnnxBackbone Backbone { get; } = new(new BackboneOptions());

        public void Dispose() => Backbone.Dispose();
    }

    private readonly ImageDecoder _decoder = new(new ImageLimits());

    [Fact]
    public void Featurize_CacheMiss_ComputesAndStoresThenTheSecondCallHitsWithTheSameVector()
    {
        using var work = new TemporaryDirectory("featurizer");
        using var cache = new EmbeddingCache(work.Combine("embeddings.db"));
        var featurizer = new Featurizer(_decoder, fixture.Backbone, cache);
        var bytes = File.ReadAllBytes(sample.TestImages[0].Path);

        var first = featurizer.Featurize(bytes);
        var second = featurizer.Featurize(bytes);

        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(ContentHash.Of(bytes), first.Hash);
        Assert.Equal(first.Features, second.Features);
        Assert.True(cache.TryGet(fixture.Backbone.Id, first.Hash, out var stored));
        Assert.Equal(first.Features, stored);
        Assert.Equal(1, cache.Count(fixture.Backbone.Id));
    }

    [Fact]
    public void Featurize_TwoDifferentImages_Give512FiniteFeaturesThatDiffer()
    {
        var featurizer = new Featurizer(_decoder, fixture.Backbone, cache: null);
        var images = sample.TestImages;
        var a = featurizer.Featurize(File.ReadAllBytes(images.First(i => i.Label == "bag").Path)).Features;
        var b = featurizer.Featurize(File.ReadAllBytes(images.First(i => i.Label == "trouser").Path)).Features;

        Assert.Equal(512, a.Length);
        Assert.Equal(512, b.Length);
        Assert.Equal(512, fixture.Backbone.Dimension);
        Assert.All(a.Concat(b), v => Assert.True(float.IsFinite(v)));
        Assert.True(a.Zip(b, (x, y) => Math.Abs(x - y)).Max() > 0.1f, "a bag and a pair of trousers must not look alike to the backbone");
    }

    [Fact]
    public void Featurize_WithThumbnailFeatures_AppendsTheThumbnailAndCachesOnlyTheBackbonesPart()
    {
        using var work = new TemporaryDirectory("featurizer-thumbnail");
        using var cache = new EmbeddingCache(work.Combine("embeddings.db"));
        using var backbone = new OnnxBackbone(new BackboneOptions { ThumbnailFeatures = 4 });
        var featurizer = new Featurizer(_decoder, backbone, cache);
        var bytes = File.ReadAllBytes(sample.TestImages[2].Path);

        var computed = featurizer.Featurize(bytes);
        var cached = featurizer.Featurize(bytes);

        Assert.Equal(fixture.Backbone.Id, backbone.Id); // thumbnails do not change what the network computes
        Assert.Equal(512 + 4 * 4 * 3, computed.Features.Length);
        Assert.Equal(_decoder.DecodeResized(bytes, 4, 4).ToUnitFloats(), computed.Features[512..]);
        Assert.True(cached.FromCache);
        Assert.Equal(computed.Features, cached.Features);
        Assert.True(cache.TryGet(backbone.Id, computed.Hash, out var stored));
        Assert.Equal(512, stored.Length);
    }

    [Fact]
    public void Featurize_InvalidBytes_ThrowsAndStoresNothing()
    {
        using var work = new TemporaryDirectory("featurizer");
        using var cache = new EmbeddingCache(work.Combine("embeddings.db"));
        var featurizer = new Featurizer(_decoder, fixture.Backbone, cache);

        var error = Assert.Throws<InvalidImageException>(() => featurizer.Featurize("plain text"u8));

        Assert.Equal(ImageErrorKind.NotAnImage, error.Kind);
        Assert.Equal(0, cache.Count(fixture.Backbone.Id));
    }

    public static TheoryData<string, Action<BackboneOptions>> FeatureChanges => new()
    {
        { "mean", o => o.Mean = [1f, 0f, 0f] },
        { "std", o => o.Std = [1f, 1f, 2f] },
        { "pixel scale", o => o.PixelScale = 1f / 255 },
        { "channel order", o => o.ChannelOrder = ChannelOrder.Bgr },
        { "input size", o => o.InputWidth = 112 },
        { "no preprocessing model", o => o.PreprocessingModelPath = null },
        { "output tensor", o => o.OutputTensorName = "another" },
        { "name", o => o.Name = "resnet18-custom" },
    };

    [Theory]
    [MemberData(nameof(FeatureChanges))]
    public void Id_OptionThatChangesFeatures_ChangesTheId(string change, Action<BackboneOptions> apply)
    {
        var options = new BackboneOptions();
        apply(options);

        using var changed = new OnnxBackbone(options);

        Assert.True(fixture.Backbone.Id != changed.Id, $"changing the {change} must change the backbone id");
    }

    [Fact]
    public void Id_OptionsThatOnlyChangeWhereItRuns_KeepTheId()
    {
        using var elsewhere = new OnnxBackbone(new BackboneOptions { IntraOpThreads = 1, GpuDeviceId = 0 });

        Assert.Equal(fixture.Backbone.Id, elsewhere.Id);
        Assert.StartsWith("resnet18-", elsewhere.Id, StringComparison.Ordinal);
    }

    [Fact]
    public void Featurize_EqualsOnnxRuntimeRunByHandOnTheSameTensor()
    {
        var options = fixture.Backbone.Options;
        var tensor = TensorOf(sample.TestImages[5].Path, options);

        var ours = fixture.Backbone.Featurize(tensor);

        AssertMatchesOnnxRuntimeByHand(options, tensor, ours);
    }

    [Fact]
    public void Load_ResNetPreprocess_IsFoldedIntoTheTensorAsAPlaneReorderAndOffset()
    {
        _ = fixture.Backbone.Dimension;

        Assert.True(fixture.Backbone.PreprocessingFolded);
    }

    [Fact]
    public void Featurize_Image_EqualsOnnxRuntimeRunByHandOnPreprocessThenNetwork()
    {
        // The library's path (offset folded into the pixel tensor, one network run) against both ONNX models run by hand.
        var options = fixture.Backbone.Options;
        var image = _decoder.DecodeResized(File.ReadAllBytes(sample.TestImages[3].Path), options.InputWidth, options.InputHeight);
        var tensor = PixelTensor.FromRgb(image, options);

        var ours = fixture.Backbone.Featurize(image);

        AssertMatchesOnnxRuntimeByHand(options, tensor, ours);
    }

    /// <summary>Runs ResNetPreprocess.onnx then ResNet18.onnx on <paramref name="tensor"/> with ONNX Runtime directly and compares.</summary>
    private static void AssertMatchesOnnxRuntimeByHand(BackboneOptions options, float[] tensor, float[] ours)
    {
        long[] shape = [1, 3, options.InputHeight, options.InputWidth];
        using var preprocess = new InferenceSession(options.PreprocessingModelPath!);
        using var network = new InferenceSession(options.ModelPath);
        using var run = new RunOptions();
        using var input = OrtValue.CreateTensorValueFromMemory(tensor, shape);
        using var preprocessed = preprocess.Run(run, new Dictionary<string, OrtValue> { [options.PreprocessingInputTensorName] = input }, [options.PreprocessingOutputTensorName]);
        using var output = network.Run(run, new Dictionary<string, OrtValue> { [options.InputTensorName] = preprocessed[0] }, [options.OutputTensorName]);
        var expected = output[0].GetTensorDataAsSpan<float>().ToArray();

        Assert.Equal(expected.Length, ours.Length);
        Assert.True(MaxAbsoluteDifference(expected, ours) < 1e-4f * Math.Max(1f, expected.Max(Math.Abs)),
            $"max |difference| {MaxAbsoluteDifference(expected, ours)} on features up to {expected.Max(Math.Abs)}");
    }

    [Fact]
    public void PixelTensor_WithFold_MovesPlanesAndAddsTheOffset()
    {
        var options = new BackboneOptions { InputWidth = 2, InputHeight = 1, ChannelOrder = ChannelOrder.Bgr, Mean = [1f, 2f, 3f], Std = [1f, 2f, 4f] };
        var image = new RgbImage(2, 1, [10, 20, 30, 40, 50, 60]);
        var fold = new TensorFold([2, 0, 1], [0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f]);

        var plain = PixelTensor.FromRgb(image, options);
        var folded = PixelTensor.FromRgb(image, options, fold);

        // BGR: plane 0 holds blue, normalised by Mean[0]/Std[0]; the fold then takes planes 2, 0, 1.
        Assert.Equal([29f, 59f, 9f, 24f, 1.75f, 9.25f], plain);
        Assert.Equal([1.75f + 0.5f, 9.25f + 1.5f, 29f + 2.5f, 59f + 3.5f, 9f + 4.5f, 24f + 5.5f], folded);
        Assert.Equal(fold.Apply(plain), folded);
    }

    [Fact]
    public void TensorFold_Probe_RecoversAReorderAndOffsetButRefusesAScale()
    {
        int planeSize = 4;
        float[] offset = [.. Enumerable.Range(0, 12).Select(i => -i * 0.25f)];
        var expected = new TensorFold([1, 2, 0], offset);

        var found = TensorFold.Probe(expected.Apply, planeSize, 1f);
        var refused = TensorFold.Probe(t => [.. t.Select(v => v * 0.5f)], planeSize, 1f);

        Assert.NotNull(found);
        Assert.Equal(expected.PlaneSource, found.PlaneSource);
        Assert.Equal(expected.Offset, found.Offset);
        Assert.Null(refused);
    }

    [Fact]
    public void Featurize_EqualsMlNetsOwnResNet18Featurizer()
    {
        var options = fixture.Backbone.Options;
        var tensor = TensorOf(sample.TestImages[9].Path, options);
        var ml = new MLContext();
        var schema = SchemaDefinition.Create(typeof(PixelsRow));
        schema[nameof(PixelsRow.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3, options.InputHeight, options.InputWidth);
        var data = ml.Data.LoadFromEnumerable([new PixelsRow { Pixels = tensor }], schema);
        var featurizer = ml.Transforms.DnnFeaturizeImage("Features",
            m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), nameof(PixelsRow.Pixels));

        var transformed = featurizer.Fit(data).Transform(data);
        var expected = transformed.GetColumn<float[]>("Features").Single();
        var ours = fixture.Backbone.Featurize(tensor);

        Assert.Equal(expected.Length, ours.Length);
        Assert.True(MaxAbsoluteDifference(expected, ours) < 1e-4f * Math.Max(1f, expected.Max(Math.Abs)),
            $"max |difference| {MaxAbsoluteDifference(expected, ours)} on features up to {expected.Max(Math.Abs)}");
    }

    private float[] TensorOf(string path, BackboneOptions options) =>
        PixelTensor.FromRgb(_decoder.DecodeResized(File.ReadAllBytes(path), options.InputWidth, options.InputHeight), options);

    private static float MaxAbsoluteDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    private sealed class PixelsRow
    {
        public float[] Pixels { get; set; } = [];
    }
}
