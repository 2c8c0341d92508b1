namespace Classifier.Serving;

/// <summary>Which tier of the cascade answered.</summary>
public enum PredictionTier
{
    /// <summary>The full model: the backbone's features and the version's head.</summary>
    Full,
    /// <summary>The cascade's cheap first tier, confident enough to answer alone.</summary>
    First,
}
