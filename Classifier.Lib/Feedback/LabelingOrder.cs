namespace Classifier.Feedback;

/// <summary>How the labeling queue ranks uncorrected predictions: by how much a label would teach the model.</summary>
public enum LabelingOrder
{
    /// <summary>Least margin between the two most probable classes first: the answers the model hesitated most between two classes.</summary>
    Margin,

    /// <summary>Highest entropy of the listed classes' probabilities first (the unlisted rest counted as one class): the most uncertain answers overall.</summary>
    Entropy,
}
