namespace Classifier.Serving;

/// <summary>A prediction as the service answered it: logged, with the id a correction names.</summary>
/// <param name="Prediction">The answer.</param>
/// <param name="PredictionId">Names this prediction in <see cref="Feedback.IFeedbackService.CorrectAsync(string, string, CancellationToken)"/>;
/// empty when the prediction could not be logged (the store failed: the answer still goes out, and the error is logged).</param>
public sealed record LoggedPrediction(Prediction Prediction, string PredictionId);
