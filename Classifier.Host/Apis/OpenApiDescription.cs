using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Classifier.Host.Apis;

/// <summary>What the generated OpenAPI document cannot know by itself: the licence, what each tag groups, and server URLs without a trailing slash (paths start with one).</summary>
internal static class OpenApiDescription
{
    private static readonly Dictionary<string, string> Tags = new(StringComparer.Ordinal)
    {
        ["Prediction"] = "Classify images; every answer is logged with an id that feedback can name.",
        ["Feedback"] = "Corrections: the true label of a prediction, or of an image never predicted.",
        ["Models"] = "Registered versions, the one in service, promotion and rollback.",
        ["Experiments"] = "A/B test, shadow and canary: their figures and (admin) their configuration.",
        ["Learning"] = "Retraining: queue one, and see how it went.",
        ["Data"] = "Erasure and access (admin): delete a prediction, an image or a client's data; what is held about a client; the erasure log.",
        ["Health"] = "Alive and ready.",
    };

    internal static OpenApiOptions DescribeService(this OpenApiOptions options) => options.AddDocumentTransformer((document, _, _) =>
    {
        document.Info.License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" };
        foreach (var server in document.Servers ?? [])
            server.Url = server.Url?.TrimEnd('/');
        document.Tags = new HashSet<OpenApiTag>(Tags.Select(tag => new OpenApiTag { Name = tag.Key, Description = tag.Value }));
        return Task.CompletedTask;
    });
}
