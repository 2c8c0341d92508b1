namespace Classifier.Serving;

/// <summary>A prediction as the service answered it: logged, with the id a correction names.</summary>
/// <param name="Prediction">The answer.</param>
/// <param name="PredictionId">Names this prediction in <see cref="Feedback.IFeedbackService.CorrectAsync(string, string, CancellationToken)"/>.</param>
public sealed record LoggedPrediction(Prediction Prediction, string PredictionId);
