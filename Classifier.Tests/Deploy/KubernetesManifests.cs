using Classifier.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Classifier.Tests.Deploy;

/// <summary>The documents of <c>deploy/kubernetes/</c>, as kustomization.yaml lists them, read with YamlDotNet.</summary>
internal sealed class KubernetesManifests
{
    private KubernetesManifests(IReadOnlyList<string> resources, IReadOnlyList<YamlMappingNode> documents) => (Resources, Documents) = (resources, documents);

    internal static string Folder => Path.Combine(RepositoryPaths.Root, "deploy", "kubernetes");

    /// <summary>The files kustomization.yaml names.</summary>
    internal IReadOnlyList<string> Resources { get; }

    internal IReadOnlyList<YamlMappingNode> Documents { get; }

    internal static KubernetesManifests Load()
    {
        var resources = Sequence(Read(Path.Combine(Folder, "kustomization.yaml")).Single(), "resources").Select(Scalar).ToList();
        var documents = resources.SelectMany(file => Read(Path.Combine(Folder, file))).ToList();
        return new KubernetesManifests(resources, documents);
    }

    internal YamlMappingNode Single(string kind, string name) =>
        Documents.Single(d => Text(d, "kind") == kind && Text(d, "metadata", "name") == name);

    internal IEnumerable<YamlMappingNode> OfKind(string kind) => Documents.Where(d => Text(d, "kind") == kind);

    /// <summary>The scalar at <paramref name="path"/> (mapping keys), or null when any step is missing.</summary>
    internal static string? Text(YamlNode node, params string[] path) => Node(node, path) is YamlScalarNode scalar ? scalar.Value : null;

    internal static YamlNode? Node(YamlNode node, params string[] path)
    {
        YamlNode? current = node;
        foreach (string key in path)
        {
            if (current is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out current))
                return null;
        }
        return current;
    }

    internal static IEnumerable<YamlNode> Sequence(YamlNode node, params string[] path) =>
        Node(node, path) is YamlSequenceNode sequence ? sequence.Children : [];

    internal static IReadOnlyDictionary<string, string> Map(YamlNode node, params string[] path) =>
        Node(node, path) is YamlMappingNode mapping
            ? mapping.Children.ToDictionary(pair => Scalar(pair.Key), pair => Scalar(pair.Value), StringComparer.Ordinal)
            : new Dictionary<string, string>();

    internal static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value!;

    private static IEnumerable<YamlMappingNode> Read(string file)
    {
        using var reader = new StreamReader(file);
        var stream = new YamlStream();
        stream.Load(reader);
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }
}
