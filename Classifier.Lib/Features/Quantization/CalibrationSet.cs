using System.Security.Cryptography;
using System.Text;
using Classifier.Datasets;
using Classifier.Images;

namespace Classifier.Features.Quantization;

/// <summary>
/// The images calibration measures on: up to the requested count from a dataset's training split, taken in turn from
/// each class (files in path order) so that every class is seen, as the float network's input tensors.
/// </summary>
internal sealed record CalibrationSet(IReadOnlyList<float[]> Inputs, string Fingerprint)
{
    internal static CalibrationSet Load(string datasetRoot, int count, ImageDecoder decoder, OnnxBackbone floatBackbone,
        Action<int, int>? progress, CancellationToken cancellationToken)
    {
        var byClass = ImageFolderDataset.Load(datasetRoot, "train").GroupBy(f => f.Label).Select(g => new Queue<LabeledImageFile>(g)).ToList();
        var inputs = new List<float[]>(count);
        var hashes = new StringBuilder();
        var options = floatBackbone.Options;
        while (inputs.Count < count && byClass.Any(q => q.Count > 0))
        {
            foreach (var queue in byClass)
            {
                if (inputs.Count == count || !queue.TryDequeue(out var file))
                    continue;
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var bytes = File.ReadAllBytes(file.Path);
                    decoder.Validate(bytes);
                    inputs.Add(floatBackbone.NetworkInput(decoder.DecodeResized(bytes, options.InputWidth, options.InputHeight)));
                    hashes.Append(ContentHash.Of(bytes)).Append('\n');
                    progress?.Invoke(inputs.Count, count);
                }
                catch (Exception e) when (e is InvalidImageException or IOException or UnauthorizedAccessException)
                {
                    // As featurizing does: one bad file does not stop the run; it is simply not measured.
                }
            }
        }
        if (inputs.Count == 0)
            throw new InvalidOperationException($"No readable training image under '{Path.Combine(datasetRoot, "train")}' to calibrate on.");
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hashes.ToString())))[..12];
        return new CalibrationSet(inputs, fingerprint);
    }
}
