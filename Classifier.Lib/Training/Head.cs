using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Classifier.Training;

/// <summary>
/// The trained last layer: normalized features → class probabilities. A few KB on disk, loaded in
/// milliseconds. Thread-safe: prediction engines are pooled.
/// </summary>
internal sealed class Head : IDisposable
{
    private const string FeaturesColumn = "Features";
    private readonly ITransformer _model;
    private readonly DataViewSchema _inputSchema;
    private readonly ObjectPool<PredictionEngine<HeadInput, HeadOutput>> _engines;

    private Head(MLContext ml, ITransformer model, DataViewSchema inputSchema, int dimension)
    {
        _model = model;
        _inputSchema = inputSchema;
        Dimension = dimension;
        var inputDefinition = InputDefinition(dimension);
        // For an IDisposable item the provider makes a pool that disposes its engines when it is disposed,
        // so a model swapped out by a reload releases everything it held.
        _engines = new DefaultObjectPoolProvider { MaximumRetained = Environment.ProcessorCount * 4 }
            .Create(new Serving.PredictionEnginePolicy<HeadInput, HeadOutput>(() => ml.Model.CreatePredictionEngine<HeadInput, HeadOutput>(model, true, inputDefinition)));

        var score = model.GetOutputSchema(inputSchema)["Score"];
        VBuffer<ReadOnlyMemory<char>> names = default;
        score.GetSlotNames(ref names);
        Labels = names.DenseValues().Select(n => n.ToString()).ToArray();
        if (Labels.Count == 0)
            throw new InvalidDataException("The head has no class labels in its score column.");
    }

    /// <summary>Class labels in score order.</summary>
    internal IReadOnlyList<string> Labels { get; }

    /// <summary>Feature vector length the head takes.</summary>
    internal int Dimension { get; }

    /// <summary>Fits a head. <paramref name="classWeightScale"/> multiplies the (balanced) weight of the classes it names.</summary>
    internal static Head Train(IReadOnlyList<(float[] Features, string Label)> examples, TrainingOptions options,
        IReadOnlyDictionary<string, float>? classWeightScale = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0)
            throw new InvalidOperationException("No training examples: add images to the dataset's train folder.");
        var labels = examples.Select(e => e.Label).Distinct().ToArray();
        if (labels.Length < 2)
            throw new InvalidOperationException($"Training needs at least two classes; found {labels.Length} ({string.Join(", ", labels)}).");

        int dimension = examples[0].Features.Length;
        var counts = examples.GroupBy(e => e.Label).ToDictionary(g => g.Key, g => g.Count());
        var rows = examples.Select(e => new HeadInput
        {
            Features = e.Features,
            Label = e.Label,
            Weight = (options.BalanceClasses ? (float)examples.Count / (counts.Count * counts[e.Label]) : 1f)
                * (classWeightScale?.GetValueOrDefault(e.Label, 1f) ?? 1f),
        });

        var ml = new MLContext(options.Seed);
        var data = ml.Data.LoadFromEnumerable(rows, InputDefinition(dimension));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("LabelKey", nameof(HeadInput.Label), keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.NormalizeMeanVariance(FeaturesColumn))
            .Append(CreateTrainer(ml, options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(data);
        return new Head(ml, model, data.Schema, dimension);
    }

    internal static Head Load(string path)
    {
        var ml = new MLContext();
        var model = ml.Model.Load(path, out var schema);
        var features = schema.GetColumnOrNull(FeaturesColumn)
            ?? throw new InvalidDataException($"'{path}' is not a head: it has no '{FeaturesColumn}' input column.");
        int dimension = features.Type is VectorDataViewType v ? v.Size : 0;
        return new Head(ml, model, schema, dimension);
    }

    internal void Save(string path)
    {
        using var stream = File.Create(path);
        new MLContext().Model.Save(_model, _inputSchema, stream);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Class probabilities in <see cref="Labels"/> order.</summary>
    internal float[] Score(float[] features)
    {
        if (features.Length != Dimension)
            throw new ArgumentException($"The head takes {Dimension} features; got {features.Length}.", nameof(features));
        var engine = _engines.Get();
        try
        {
            return engine.Predict(new HeadInput { Features = features, Label = string.Empty }).Score;
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    /// <summary>Disposes the pooled prediction engines; call only when no prediction is in flight.</summary>
    public void Dispose() => (_engines as IDisposable)?.Dispose();

    private static IEstimator<ITransformer> CreateTrainer(MLContext ml, TrainingOptions options) => options.Trainer switch
    {
        HeadTrainerKind.LbfgsMaximumEntropy => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(
            new LbfgsMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = "LabelKey",
                FeatureColumnName = FeaturesColumn,
                ExampleWeightColumnName = nameof(HeadInput.Weight),
                L2Regularization = options.L2Regularization,
                MaximumNumberOfIterations = options.MaximumIterations,
                // One thread: the gradient is then summed in one order, so a seed gives one model.
                NumberOfThreads = 1,
            }),
        HeadTrainerKind.SdcaMaximumEntropy => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(
            new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = "LabelKey",
                FeatureColumnName = FeaturesColumn,
                ExampleWeightColumnName = nameof(HeadInput.Weight),
                L2Regularization = options.L2Regularization,
                MaximumNumberOfIterations = options.MaximumIterations,
                NumberOfThreads = 1,
            }),
        HeadTrainerKind.OneVersusAllLogisticRegression => ml.MulticlassClassification.Trainers.OneVersusAll(
            ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
            {
                FeatureColumnName = FeaturesColumn,
                ExampleWeightColumnName = nameof(HeadInput.Weight),
                L2Regularization = options.L2Regularization,
                MaximumNumberOfIterations = options.MaximumIterations,
                NumberOfThreads = 1,
            }), labelColumnName: "LabelKey"),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Trainer, "Unknown head trainer."),
    };

    private static SchemaDefinition InputDefinition(int dimension)
    {
        var definition = SchemaDefinition.Create(typeof(HeadInput));
        definition[nameof(HeadInput.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
        return definition;
    }

    private sealed class HeadInput
    {
        public float[] Features { get; set; } = [];
        public string Label { get; set; } = string.Empty;
        public float Weight { get; set; } = 1f;
    }

    private sealed class HeadOutput
    {
        public float[] Score { get; set; } = [];
    }

}
