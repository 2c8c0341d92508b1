using System.Reflection;
using Classifier.Host;
using Classifier.Storage;

namespace Classifier.Tests.Deploy;

/// <summary>
/// Whether an environment variable's name reaches a setting the service reads: <c>Classifier__X__Y</c> resolved by
/// reflection against the two models bound from the <c>Classifier</c> section (the library's <see cref="ClassifierOptions"/>
/// and the host's <see cref="ServiceOptions"/>), the connection string, and the framework's own variables.
/// </summary>
internal static class SettingNames
{
    /// <summary>Read by ASP.NET Core and .NET themselves (host configuration, Kestrel's addresses, host filtering).</summary>
    private static readonly HashSet<string> FrameworkVariables = new(StringComparer.OrdinalIgnoreCase)
    {
        "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "AllowedHosts",
    };

    internal static bool Binds(string variable)
    {
        if (FrameworkVariables.Contains(variable) || variable.StartsWith("DOTNET_", StringComparison.Ordinal))
            return true;
        var path = variable.Split("__");
        if (path is ["ConnectionStrings", var name])
            return name == StorageOptions.ConnectionStringName;
        if (path.Length < 2 || path[0] != ClassifierOptions.SectionName)
            return false;
        return Resolves(typeof(ClassifierOptions), path[1..]) || Resolves(typeof(ServiceOptions), path[1..]);
    }

    /// <summary>Configuration keys as the environment provider makes them: <c>__</c> is <c>:</c>, <c>ASPNETCORE_</c> is the web host's prefix.</summary>
    internal static string ConfigurationKey(string variable) =>
        (variable.StartsWith("ASPNETCORE_", StringComparison.Ordinal) ? variable["ASPNETCORE_".Length..] : variable).Replace("__", ":", StringComparison.Ordinal);

    private static bool Resolves(Type type, ReadOnlySpan<string> path)
    {
        var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null || !property.CanWrite)
            return false;
        return path.Length == 1 ? IsLeaf(property.PropertyType) : !IsLeaf(property.PropertyType) && Resolves(property.PropertyType, path[1..]);
    }

    private static bool IsLeaf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type.IsArray || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(decimal);
    }
}
