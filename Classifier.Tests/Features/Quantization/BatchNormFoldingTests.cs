using Classifier.Features.Quantization;

namespace Classifier.Tests.Features.Quantization;

public sealed class BatchNormFoldingTests
{
    [Fact]
    public void Fold_ConvBatchNormRelu_GivesTheHandComputedWeightAndBiasExactly()
    {
        var model = TinyGraphs.ConvBatchNormRelu();

        int folded = BatchNormFolding.Fold(model.Graph);

        Assert.Equal(1, folded);
        Assert.Equal(new[] { "Conv", "Relu" }, model.Graph.Node.Select(n => n.OpType));
        var conv = model.Graph.Node[0];
        Assert.Equal(new[] { 1f, -1f }, TinyGraphs.Initializer(model, conv.Input[1]));
        Assert.Equal(new[] { -0.75f, -1f }, TinyGraphs.Initializer(model, conv.Input[2]));
        Assert.Equal("B", conv.Output[0]);
        Assert.DoesNotContain(model.Graph.Initializer, i => i.Name is "gamma" or "beta" or "mean" or "var" or "W");
        Assert.DoesNotContain(model.Graph.Input, i => i.Name is "gamma" or "W");
    }

    [Fact]
    public void Fold_ThenUpgradeToOpset13_ComputesTheSameOutputsOnOnnxRuntime()
    {
        var original = TinyGraphs.ConvBatchNormRelu();
        var folded = original.Clone();

        BatchNormFolding.Fold(folded.Graph);
        long from = OpsetUpgrade.Upgrade(folded);

        Assert.Equal(8, from);
        Assert.Equal(13, folded.OpsetImport.Single().Version);
        Assert.Equal(7, folded.IrVersion);
        // By hand: channel 0 = relu(x − 0.75), channel 1 = relu(−x − 1), for x = −1, 0, 1, 3.
        float[] expected = [0f, 0f, 0.25f, 2.25f, 0f, 0f, 0f, 0f];
        Assert.Equal(expected, TinyGraphs.Run(original, TinyGraphs.Input, 1, 1, 2, 2));
        Assert.Equal(expected, TinyGraphs.Run(folded, TinyGraphs.Input, 1, 1, 2, 2));
    }

    [Fact]
    public void Upgrade_AnOpWhoseMeaningChangedBefore13_IsRefusedByName()
    {
        var model = TinyGraphs.ConvBatchNormRelu();
        model.Graph.Node[2].OpType = "Softmax";

        var error = Assert.Throws<InvalidOperationException>(() => OpsetUpgrade.Upgrade(model));

        Assert.Contains("Softmax", error.Message);
    }
}
