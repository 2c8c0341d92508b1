using System.Text.Json.Serialization;

namespace Classifier.Experiments;

/// <summary>How a canary ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CanaryOutcome>))]
public enum CanaryOutcome
{
    /// <summary>It held every step and was made the current version.</summary>
    Promoted,

    /// <summary>Its accuracy on feedback or its error rate failed, or it no longer loaded; the current version kept serving.</summary>
    RolledBack,

    /// <summary>An operator ended it (<c>DELETE /experiments/canary</c>), or a newer candidate replaced it.</summary>
    Aborted,
}
