namespace Classifier.Host.Security;

/// <summary>Marks endpoints that need the admin key: the filter that enforces it, and metadata the OpenAPI document reads.</summary>
internal static class AdminOnly
{
    /// <summary>Guards <paramref name="builder"/>'s endpoints with <see cref="AdminApiKeyFilter"/> and the admin rate limit, and declares the key for OpenAPI.</summary>
    internal static TBuilder RequireAdminKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, AdminApiKeyFilter>().WithMetadata(Marker.Instance).RequireRateLimiting(RateLimits.Admin);

    /// <summary>The metadata that says an endpoint needs the admin key.</summary>
    internal sealed class Marker
    {
        internal static Marker Instance { get; } = new();
    }
}
