using Classifier.Serving;

namespace Classifier.Feedback;

/// <summary>
/// A prediction to log whose id and time were chosen before it is written, so the caller can answer with the id
/// while the row is still on its way (<see cref="IFeedbackStore.LogPredictionsAsync"/>).
/// </summary>
/// <param name="Id">The prediction id a correction will name (<see cref="NewId"/>).</param>
/// <param name="CreatedUtc">When it was answered.</param>
/// <param name="Prediction">The answer.</param>
/// <param name="Image">The image's bytes, kept (de-identified) in the image store under the prediction's hash; empty when it is not kept.</param>
/// <param name="ClientId">Who asked, as the data subject whose data erasure and access find (<c>Callers.DataSubject</c>); empty when unknown.</param>
public sealed record PredictionLogEntry(string Id, DateTimeOffset CreatedUtc, Prediction Prediction, ReadOnlyMemory<byte> Image, string ClientId = "")
{
    /// <summary>A new prediction id: 128 random bits in lowercase hex, which no caller can guess.</summary>
    public static string NewId() => RandomIds.New();
}
