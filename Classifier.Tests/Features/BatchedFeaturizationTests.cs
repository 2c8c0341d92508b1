using Classifier.Features;
using Classifier.Features.Quantization;
using Classifier.Images;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Features;

/// <summary>
/// The real backbone, fp32 and int8, featurizing the sample's images one at a time and in one batch: the shipped
/// ResNet18 fixes its batch at 1, and the session makes it symbolic, so the two must give the same features.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class BatchedFeaturizationTests(SampleFixture sample) : IDisposable
{
    private const float Tolerance = 1e-4f;
    private readonly TemporaryDirectory _work = new("batched");
    private readonly ImageDecoder _decoder = new(new ImageLimits());

    public void Dispose() => _work.Dispose();

    [Fact]
    public void Featurize_ABatchOfFloat32Images_GivesEachTheFeaturesItGetsAlone()
    {
        using var backbone = new OnnxBackbone(new BackboneOptions());

        AssertBatchMatchesSingles(backbone);
    }

    [Fact]
    public async Task Featurize_ABatchOfInt8Images_GivesEachTheFeaturesItGetsAlone()
    {
        var int8Path = _work.Combine("resnet18-int8.onnx");
        using (var float32 = sample.CreateWorkspace(out _))
            await float32.QuantizeBackboneAsync(sample.DatasetRoot, int8Path, new QuantizationOptions { CalibrationImages = 10 });
        using var backbone = new OnnxBackbone(new BackboneOptions { Precision = BackbonePrecision.Int8, Int8ModelPath = int8Path });

        AssertBatchMatchesSingles(backbone);
    }

    private void AssertBatchMatchesSingles(OnnxBackbone backbone)
    {
        var options = backbone.Options;
        var images = sample.TestImages.Take(6)
            .Select(f => _decoder.DecodeResized(File.ReadAllBytes(f.Path), options.InputWidth, options.InputHeight)).ToList();
        var singles = images.Select(backbone.Featurize).ToList();

        var batched = backbone.Featurize(images);

        Assert.True(backbone.AcceptsBatches);
        Assert.Equal(images.Count, batched.Length);
        for (int i = 0; i < images.Count; i++)
        {
            Assert.Equal(singles[i].Length, batched[i].Length);
            float largest = singles[i].Zip(batched[i], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(largest <= Tolerance, $"image {i}: largest difference {largest}");
        }
        Assert.NotEqual(singles[0], singles[1]); // distinct images, so a batch handing features to the wrong image would show
    }
}
