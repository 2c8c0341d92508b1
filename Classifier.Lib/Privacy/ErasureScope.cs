using System.Text.Json.Serialization;

namespace Classifier.Privacy;

/// <summary>What an erasure names (by name in JSON: the erasure log is read by people).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ErasureScope>))]
public enum ErasureScope
{
    /// <summary>One prediction, by its id: its row, shadow answers, the corrections that name it, and its image unless something else refers to it.</summary>
    Prediction,

    /// <summary>One image, by its content hash: every prediction and correction of it, the image and its embeddings.</summary>
    Image,

    /// <summary>One client: its predictions and corrections (and the corrections of its predictions), and the images nothing else refers to.</summary>
    Client,
}
