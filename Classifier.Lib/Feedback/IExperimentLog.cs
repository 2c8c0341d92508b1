namespace Classifier.Feedback;

/// <summary>The shadow's answers and the experiments' statistics, kept beside the prediction log.</summary>
internal interface IExperimentLog
{
    /// <summary>Logs the shadow's answer to a logged prediction.</summary>
    void LogShadowPrediction(string predictionId, string shadowVersion, string label, float confidence);

    /// <summary>Predictions answered by <paramref name="version"/> since <paramref name="sinceUtc"/>, with their feedback.</summary>
    ArmStatistics ArmStatistics(string version, DateTimeOffset sinceUtc);

    /// <summary>The shadow answers of <paramref name="version"/> since <paramref name="sinceUtc"/>, compared with the live ones and with feedback.</summary>
    ShadowStatistics ShadowStatistics(string version, DateTimeOffset sinceUtc);
}
