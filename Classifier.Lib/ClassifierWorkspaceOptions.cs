using Classifier.Features;
using Classifier.Images;
using Classifier.Training;

namespace Classifier;

/// <summary>Where a workspace keeps its models and caches, and how it featurizes and trains.</summary>
public sealed class ClassifierWorkspaceOptions
{
    /// <summary>Folder of the model registry (<c>vN/</c> folders and <c>current.json</c>). Default <c>models</c>.</summary>
    public string ModelsPath { get; set; } = "models";

    /// <summary>SQLite file of the embedding cache; null puts it at <c>ModelsPath/cache/embeddings.db</c>. Default null.</summary>
    public string? EmbeddingCachePath { get; set; }

    /// <summary>The backbone. Default: the pretrained ResNet18.</summary>
    public BackboneOptions Backbone { get; set; } = new();

    /// <summary>Limits on input images. Default 10 MiB, 40 megapixels.</summary>
    public ImageLimits Images { get; set; } = new();

    /// <summary>How the head is trained.</summary>
    public TrainingOptions Training { get; set; } = new();

    /// <summary>The cascade's cheap first tier: whether it is trained with each version and answers when confident.</summary>
    public Cascade.CascadeOptions Cascade { get; set; } = new();

    internal string ResolvedEmbeddingCachePath => EmbeddingCachePath ?? Path.Combine(ModelsPath, "cache", "embeddings.db");
}
