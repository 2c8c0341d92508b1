using Classifier.Features;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Transforms.Onnx;

namespace Classifier.Bench.Suites;

/// <summary>
/// The ways the library has run the backbone, timed on the same tensors in the same run so that each step of the
/// featurize work shows its gain: (1) ML.NET's OnnxTransformer chain, preprocessing model then network, through a
/// PredictionEngine (the library before this work); (1b) ML.NET with the network alone (the fold without the bypass); (2) both ONNX models on InferenceSessions; (3) the network
/// alone on a tensor with the preprocessing folded in (the library now).
/// </summary>
internal static class BackboneVariants
{
    internal static IEnumerable<(string Name, double MsPerImage)> Measure(BackboneOptions options, IReadOnlyList<float[]> tensors, int threads)
    {
        yield return ("(1) ML.NET ApplyOnnxModel chain, PredictionEngine (before)", MlNetChain(options, tensors, threads));
        yield return ("(1b) ML.NET ApplyOnnxModel network only, on the folded tensor", MlNetChain(options, tensors, threads, networkOnly: true));
        yield return ("(2) InferenceSession: preprocess model, then network", TwoSessions(options, tensors, threads));
    }

    private static double MlNetChain(BackboneOptions options, IReadOnlyList<float[]> tensors, int threads, bool networkOnly = false)
    {
        var ml = new MLContext();
        var inputSchema = SchemaDefinition.Create(typeof(PixelInput));
        inputSchema[0].ColumnName = networkOnly ? options.InputTensorName : options.PreprocessingInputTensorName;
        inputSchema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1, 3, options.InputHeight, options.InputWidth);
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<PixelInput>(), inputSchema);
        OnnxOptions Onnx(string file, string input, string output) => new()
        {
            ModelFile = file, InputColumns = [input], OutputColumns = [output], IntraOpNumThreads = threads,
        };
        var network = ml.Transforms.ApplyOnnxModel(Onnx(options.ModelPath, options.InputTensorName, options.OutputTensorName));
        IEstimator<ITransformer> chain = networkOnly ? network
            : ml.Transforms.ApplyOnnxModel(Onnx(options.PreprocessingModelPath!, options.PreprocessingInputTensorName, options.PreprocessingOutputTensorName))
                .Append(ml.Transforms.CopyColumns(options.InputTensorName, options.PreprocessingOutputTensorName))
                .Append(network);
        var model = chain.Fit(empty);
        var outputType = model.GetOutputSchema(empty.Schema)[options.OutputTensorName].Type;
        var outputSchema = SchemaDefinition.Create(typeof(FeatureOutput));
        outputSchema[0].ColumnName = options.OutputTensorName;
        outputSchema[0].ColumnType = outputType;
        using var engine = ml.Model.CreatePredictionEngine<PixelInput, FeatureOutput>(model, true, inputSchema, outputSchema);
        foreach (var t in tensors.Take(10)) engine.Predict(new PixelInput { Pixels = t });
        double seconds = FeaturizeSuite.Best(() => { foreach (var t in tensors) engine.Predict(new PixelInput { Pixels = t }); });
        (model as IDisposable)?.Dispose();
        return 1000 * seconds / tensors.Count;
    }

    private static double TwoSessions(BackboneOptions options, IReadOnlyList<float[]> tensors, int threads)
    {
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = threads };
        using var preprocess = new InferenceSession(options.PreprocessingModelPath!, sessionOptions);
        using var network = new InferenceSession(options.ModelPath, sessionOptions);
        using var run = new RunOptions();
        long[] shape = [1, 3, options.InputHeight, options.InputWidth];
        void One(float[] tensor)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(tensor, shape);
            using var pre = preprocess.Run(run, [options.PreprocessingInputTensorName], [input], [options.PreprocessingOutputTensorName]);
            using var output = network.Run(run, [options.InputTensorName], [pre[0]], [options.OutputTensorName]);
            _ = output[0].GetTensorDataAsSpan<float>().ToArray();
        }
        foreach (var t in tensors.Take(10)) One(t);
        return 1000 * FeaturizeSuite.Best(() => { foreach (var t in tensors) One(t); }) / tensors.Count;
    }

    private sealed class PixelInput
    {
        public float[] Pixels { get; set; } = [];
    }

    private sealed class FeatureOutput
    {
        public float[] Features { get; set; } = [];
    }
}
