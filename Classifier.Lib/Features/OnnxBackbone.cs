using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;

namespace Classifier.Features;

/// <summary>
/// The frozen backbone run through ML.NET's ONNX transformer: an NCHW float tensor in, a feature vector out.
/// Thread-safe: prediction engines are pooled, the ONNX Runtime session underneath is shared.
/// </summary>
internal sealed class OnnxBackbone : IDisposable
{
    private static readonly ConcurrentDictionary<string, string> FileHashes = new();

    private readonly MLContext _ml = new();
    private readonly Lazy<Session> _session;

    /// <summary>Checks the options and computes the id; the network itself is loaded on first use (a run served from the cache never loads it).</summary>
    internal OnnxBackbone(BackboneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        FileSha256 = FileHashes.GetOrAdd(Path.GetFullPath(options.ModelPath), HashFile);
        Id = ComputeId(options, FileSha256);
        _session = new Lazy<Session>(() => Load(_ml, options));
    }

    private sealed record Session(ITransformer Model, DefaultObjectPool<PredictionEngine<PixelInput, FeatureOutput>> Engines, int Dimension);

    private static Session Load(MLContext _ml, BackboneOptions options)
    {
        string pixelsColumn = options.PreprocessingModelPath is null ? options.InputTensorName : options.PreprocessingInputTensorName;
        var inputSchema = SchemaDefinition.Create(typeof(PixelInput));
        inputSchema[0].ColumnName = pixelsColumn;
        inputSchema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1, 3, options.InputHeight, options.InputWidth);
        var empty = _ml.Data.LoadFromEnumerable(Array.Empty<PixelInput>(), inputSchema);

        IEstimator<ITransformer> backbone = _ml.Transforms.ApplyOnnxModel(OnnxOptionsFor(options, options.ModelPath,
            options.InputTensorName, options.OutputTensorName));
        IEstimator<ITransformer> chain = backbone;
        if (options.PreprocessingModelPath is { } preprocessing)
        {
            IEstimator<ITransformer> preprocess = _ml.Transforms.ApplyOnnxModel(OnnxOptionsFor(options, preprocessing,
                options.PreprocessingInputTensorName, options.PreprocessingOutputTensorName));
            if (options.PreprocessingOutputTensorName != options.InputTensorName)
                preprocess = preprocess.Append(_ml.Transforms.CopyColumns(options.InputTensorName, options.PreprocessingOutputTensorName));
            chain = preprocess.Append(backbone);
        }
        var model = chain.Fit(empty);

        var outputColumn = model.GetOutputSchema(empty.Schema)[options.OutputTensorName];
        if (outputColumn.Type is not VectorDataViewType { ItemType: NumberDataViewType } vectorType || vectorType.Size == 0)
            throw new InvalidOperationException($"Backbone output '{options.OutputTensorName}' is {outputColumn.Type}, not a fixed-size float vector.");

        var outputSchema = SchemaDefinition.Create(typeof(FeatureOutput));
        outputSchema[0].ColumnName = options.OutputTensorName;
        outputSchema[0].ColumnType = vectorType;
        var engines = new DefaultObjectPool<PredictionEngine<PixelInput, FeatureOutput>>(
            new Serving.PredictionEnginePolicy<PixelInput, FeatureOutput>(() => _ml.Model.CreatePredictionEngine<PixelInput, FeatureOutput>(model, true, inputSchema, outputSchema)),
            Environment.ProcessorCount * 2);
        return new Session(model, engines, vectorType.Size);
    }

    internal BackboneOptions Options { get; }

    /// <summary>Length of the feature vector.</summary>
    internal int Dimension => _session.Value.Dimension;

    /// <summary>SHA-256 of the backbone's ONNX file.</summary>
    internal string FileSha256 { get; }

    /// <summary>
    /// Identifies what features mean: the name plus a hash of the model file and every preprocessing setting.
    /// Features from different ids are never mixed (cache keys, manifests).
    /// </summary>
    internal string Id { get; }

    /// <summary>Runs the network on one NCHW tensor.</summary>
    internal float[] Featurize(float[] tensor)
    {
        var engines = _session.Value.Engines;
        var engine = engines.Get();
        try
        {
            return engine.Predict(new PixelInput { Pixels = tensor }).Features;
        }
        finally
        {
            engines.Return(engine);
        }
    }

    public void Dispose()
    {
        if (_session.IsValueCreated)
            (_session.Value.Model as IDisposable)?.Dispose();
    }

    private static OnnxOptions OnnxOptionsFor(BackboneOptions options, string modelFile, string input, string output) => new()
    {
        ModelFile = modelFile,
        InputColumns = [input],
        OutputColumns = [output],
        GpuDeviceId = options.GpuDeviceId,
        FallbackToCpu = true,
        IntraOpNumThreads = options.IntraOpThreads,
    };

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string ComputeId(BackboneOptions o, string fileHash)
    {
        var preprocessingHash = o.PreprocessingModelPath is { } p ? FileHashes.GetOrAdd(Path.GetFullPath(p), HashFile) : "none";
        var description = string.Join('|', fileHash, preprocessingHash, o.InputTensorName, o.OutputTensorName,
            o.InputWidth, o.InputHeight, o.ChannelOrder,
            string.Join(',', new[] { o.PixelScale }.Concat(o.Mean).Concat(o.Std).Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(description)));
        return $"{o.Name}-{digest[..12]}";
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
