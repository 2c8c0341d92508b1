using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Classifier.Host.Security;

/// <summary>
/// States in the OpenAPI document who may call what: an API-key scheme (the <c>X-Api-Key</c> header) and, on every
/// operation that needs the admin key, a requirement of it, so that generated clients send the key; every other operation
/// says explicitly that it needs none.
/// </summary>
internal static class ApiKeyOpenApi
{
    internal const string SchemeName = "AdminApiKey";
    internal const string LabelerSchemeName = "LabelerApiKey";

    internal static OpenApiOptions AddAdminApiKeySecurity(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = AdminApiKeyFilter.HeaderName,
                Description = "The admin key (Classifier__AdminApiKey). Without one configured, admin operations answer only to loopback callers.",
            };
            document.Components.SecuritySchemes[LabelerSchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = AdminApiKeyFilter.HeaderName,
                Description = "A labeler's key (Classifier__LabelerApiKeys) or the admin key: corrections that carry an image or propose a new class.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            operation.Security ??= [];
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<AdminOnly.Marker>().Any())
            {
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
                return Task.CompletedTask;
            }
            // An empty requirement says "no key needed" explicitly, rather than leaving it unsaid; beside it, a key that
            // lets the caller do more where one is optional.
            operation.Security.Add(new OpenApiSecurityRequirement());
            if (metadata.OfType<LabelerKeyOptional>().Any())
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(LabelerSchemeName, context.Document)] = [] });
            return Task.CompletedTask;
        });
        return options;
    }

    /// <summary>Marks an operation open to anonymous callers that does more for a labeler's or the admin's key.</summary>
    internal sealed class LabelerKeyOptional
    {
        internal static LabelerKeyOptional Instance { get; } = new();
    }
}
