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
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            operation.Security ??= [];
            // An empty requirement says "no key needed" explicitly, rather than leaving it unsaid.
            operation.Security.Add(context.Description.ActionDescriptor.EndpointMetadata.OfType<AdminOnly.Marker>().Any()
                ? new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] }
                : new OpenApiSecurityRequirement());
            return Task.CompletedTask;
        });
        return options;
    }
}
