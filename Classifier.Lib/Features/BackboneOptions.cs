namespace Classifier.Features;

/// <summary>
/// The frozen network that turns an image into a feature vector. Defaults describe the pretrained ResNet18
/// shipped by Microsoft.ML.DnnImageFeaturizer.ResNet18; any ONNX model with one NCHW float input plugs in.
/// Input tensor = (pixel × <see cref="PixelScale"/> − <see cref="Mean"/>[c]) / <see cref="Std"/>[c], then
/// the optional <see cref="PreprocessingModelPath"/>, then the backbone.
/// </summary>
public sealed class BackboneOptions
{
    /// <summary>Folder of the ResNet18 files that the package's build props copy beside the application.</summary>
    public static string DefaultModelsFolder => Path.Combine(AppContext.BaseDirectory, "DnnImageModels");

    /// <summary>A short name, part of the backbone id. Default <c>resnet18</c>.</summary>
    public string Name { get; set; } = "resnet18";

    /// <summary>The ONNX model. Default <c>DnnImageModels/ResNet18Onnx/ResNet18.onnx</c> beside the application.</summary>
    public string ModelPath { get; set; } = Path.Combine(DefaultModelsFolder, "ResNet18Onnx", "ResNet18.onnx");

    /// <summary>
    /// Which network runs: <see cref="BackbonePrecision.Float32"/> (<see cref="ModelPath"/>) or
    /// <see cref="BackbonePrecision.Int8"/> (<see cref="Int8ModelPath"/>). Default Float32. Part of the backbone id,
    /// with the int8 model's calibration: features and versions of the two precisions never mix, so switching
    /// featurizes the dataset once more and needs a new version trained (README, "Int8 backbone").
    /// </summary>
    public BackbonePrecision Precision { get; set; } = BackbonePrecision.Float32;

    /// <summary>
    /// The int8 model that the <c>quantize</c> verb (<see cref="ClassifierWorkspace.QuantizeBackboneAsync"/>) made
    /// from <see cref="ModelPath"/>; required when <see cref="Precision"/> is Int8, unused otherwise. Default null.
    /// </summary>
    public string? Int8ModelPath { get; set; }

    /// <summary>
    /// An ONNX model run on the scaled pixels before the backbone, as ML.NET's DnnImageFeaturizer does; null for none.
    /// Default: ResNet18's <c>ResNetPreprocess.onnx</c> (subtracts the training set's mean image).
    /// </summary>
    public string? PreprocessingModelPath { get; set; } = Path.Combine(DefaultModelsFolder, "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    /// <summary>Input tensor name of the backbone. Default <c>Input247</c>.</summary>
    public string InputTensorName { get; set; } = "Input247";

    /// <summary>Output tensor name of the backbone (the pooled features). Default <c>Pooling395_Output_0</c>.</summary>
    public string OutputTensorName { get; set; } = "Pooling395_Output_0";

    /// <summary>Input tensor name of the preprocessing model. Default <c>OriginalInput</c>.</summary>
    public string PreprocessingInputTensorName { get; set; } = "OriginalInput";

    /// <summary>Output tensor name of the preprocessing model. Default <c>PreprocessedInput</c>.</summary>
    public string PreprocessingOutputTensorName { get; set; } = "PreprocessedInput";

    /// <summary>Input width in pixels. Default 224.</summary>
    public int InputWidth { get; set; } = 224;

    /// <summary>Input height in pixels. Default 224.</summary>
    public int InputHeight { get; set; } = 224;

    /// <summary>Colour plane order of the input. Default <see cref="ChannelOrder.Rgb"/>.</summary>
    public ChannelOrder ChannelOrder { get; set; } = ChannelOrder.Rgb;

    /// <summary>Multiplies the 0–255 pixel values first. Default 1 (ResNet18 takes 0–255).</summary>
    public float PixelScale { get; set; } = 1f;

    /// <summary>Per-channel value subtracted after scaling. Default 0, 0, 0.</summary>
    public float[] Mean { get; set; } = [0f, 0f, 0f];

    /// <summary>Per-channel divisor applied last. Default 1, 1, 1.</summary>
    public float[] Std { get; set; } = [1f, 1f, 1f];

    /// <summary>
    /// Side, in pixels, of a thumbnail of the image whose RGB values (scaled to [0, 1]) are appended to the backbone's
    /// features, so the head also sees the image's small-scale layout; 0 for none. Default 0. On Fashion-MNIST (28×28
    /// grayscale, 6,000 training images a class, all 10,000 test images) 28 raised the head's accuracy from 0.884 to
    /// 0.905 (Classifier.Bench accuracy); for photos larger than the input it has not been measured. Part of the
    /// feature id: versions trained with and without it never mix.
    /// </summary>
    public int ThumbnailFeatures { get; set; }

    /// <summary>CUDA device to run on through ONNX Runtime's GPU provider, falling back to CPU; null for CPU. Default null.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Threads ONNX Runtime uses inside one inference; null lets it choose (one per core). Default null.</summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>
    /// Whether ONNX Runtime's intra-op threads spin-wait for the next run instead of sleeping
    /// (<c>session.intra_op.allow_spinning</c>). Spinning keeps back-to-back runs fast (training, evaluation, a featurize
    /// loop); a server idles between requests, and there the spinning takes the cores from the request's own work
    /// (Classifier.Bench serve and featurize, RESULTS.md). Default true; the host's appsettings.json turns it off.
    /// </summary>
    public bool IntraOpSpinning { get; set; } = true;

    /// <summary>The network file that runs at this precision.</summary>
    internal string NetworkPath => Precision == BackbonePrecision.Int8
        ? Int8ModelPath ?? throw new InvalidOperationException("Set BackboneOptions.Int8ModelPath to the file the quantize verb wrote, or set Precision to Float32.")
        : ModelPath;

    /// <summary>A copy of these options that runs the float model.</summary>
    internal BackboneOptions AsFloat32()
    {
        var copy = (BackboneOptions)MemberwiseClone();
        copy.Precision = BackbonePrecision.Float32;
        return copy;
    }

    internal IEnumerable<string> Problems()
    {
        if (!File.Exists(ModelPath))
            yield return $"Backbone model not found at '{ModelPath}'. Reference the Microsoft.ML.DnnImageFeaturizer.ResNet18 package (its files are copied to DnnImageModels/) or set Classifier:Backbone:ModelPath.";
        if (Precision == BackbonePrecision.Int8 && (Int8ModelPath is null || !File.Exists(Int8ModelPath)))
            yield return $"Classifier:Backbone:Precision is Int8 but the int8 model {(Int8ModelPath is null ? "is not set" : $"was not found at '{Int8ModelPath}'")}. Make it with the quantize verb (ClassifierWorkspace.QuantizeBackboneAsync) and set Classifier:Backbone:Int8ModelPath to the file it wrote.";
        if (!Enum.IsDefined(Precision))
            yield return $"Classifier:Backbone:Precision must be Float32 or Int8; it is {Precision}.";
        if (PreprocessingModelPath is not null && !File.Exists(PreprocessingModelPath))
            yield return $"Preprocessing model not found at '{PreprocessingModelPath}'. Set Classifier:Backbone:PreprocessingModelPath to null if the backbone needs none.";
        if (InputWidth <= 0 || InputHeight <= 0)
            yield return $"Classifier:Backbone:InputWidth and InputHeight must be positive; they are {InputWidth} and {InputHeight}.";
        if (ThumbnailFeatures is < 0 or > 64)
            yield return $"Classifier:Backbone:ThumbnailFeatures must be 0 (none) to 64 pixels; it is {ThumbnailFeatures}.";
        if (Mean.Length != 3 || Std.Length != 3)
            yield return "Classifier:Backbone:Mean and Std need exactly three values, one per colour channel.";
        if (Std.Any(s => s == 0f))
            yield return "Classifier:Backbone:Std must not contain 0.";
        if (string.IsNullOrWhiteSpace(Name) || string.IsNullOrWhiteSpace(InputTensorName) || string.IsNullOrWhiteSpace(OutputTensorName))
            yield return "Classifier:Backbone:Name, InputTensorName and OutputTensorName are required.";
    }
}
