using System.Net.Http.Json;
using Classifier.Datasets;
using Classifier.Host.Apis;

namespace Classifier.Tests.Host;

/// <summary>What the learning tests do through HTTP: copy a dataset, correct an image, predict many, and score the answers.</summary>
internal static class LearningHttp
{
    internal sealed record Answer(string Truth, string Predicted, string Version);

    internal static void Copy(IEnumerable<LabeledImageFile> files, string root)
    {
        foreach (var file in files)
        {
            var folder = Path.Combine(root, file.Label);
            Directory.CreateDirectory(folder);
            File.Copy(file.Path, Path.Combine(folder, Path.GetFileName(file.Path)));
        }
    }

    /// <summary>Sends the image to <c>/predict</c>, then corrects that prediction to <paramref name="label"/> through <c>/feedback</c>.</summary>
    internal static async Task CorrectAsync(HttpClient client, string path, string label)
    {
        var response = await client.PostAsync("/predict", new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(path)), "image", Path.GetFileName(path) } });
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<PredictResponse>())!.PredictionId;
        (await client.PostAsJsonAsync("/feedback", new { predictionId = id, label })).EnsureSuccessStatusCode();
    }

    internal static async Task<Answer[]> PredictAllAsync(HttpClient client, IReadOnlyList<LabeledImageFile> files)
    {
        var answers = new List<Answer>();
        foreach (var chunk in files.Chunk(64))
        {
            var form = new MultipartFormDataContent();
            foreach (var file in chunk)
                form.Add(new ByteArrayContent(File.ReadAllBytes(file.Path)), "images", Path.GetFileName(file.Path));
            var response = await client.PostAsync("/batch_predict", form);
            response.EnsureSuccessStatusCode();
            var body = (await response.Content.ReadFromJsonAsync<BatchPredictResponse>())!;
            answers.AddRange(body.Results.Select(r => new Answer(chunk[r.Index].Label, r.Prediction!.Class, r.Prediction.ModelVersion)));
        }
        return [.. answers];
    }

    internal static double Recall(IEnumerable<Answer> answers, string label)
    {
        var ofLabel = answers.Where(a => a.Truth == label).ToArray();
        return ofLabel.Count(a => a.Predicted == label) / (double)ofLabel.Length;
    }

    /// <summary>Mean recall over the true labels of <paramref name="answers"/>.</summary>
    internal static double MacroAccuracy(IReadOnlyCollection<Answer> answers) =>
        answers.Select(a => a.Truth).Distinct().Average(label => Recall(answers, label));
}
