using Classifier.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using Npgsql;
using System.Xml.Linq;

namespace Classifier.Host.Security;

/// <summary>
/// Where ASP.NET Core's data protection keeps its keys (they sign the console forms' antiforgery tokens): in the state
/// folder by default, so a restart does not void the forms a browser holds; with the PostgreSql provider in the database
/// the replicas share, so a form one replica rendered is accepted by any other. The keys are stored as data protection
/// writes them (unencrypted XML): whoever reads the state folder or the database can forge a form token, not a sign-in,
/// which is derived from the admin key (<see cref="LoginCookie"/>).
/// </summary>
internal static class KeyRing
{
    internal const string FolderName = "data-protection-keys";

    internal static IServiceCollection AddKeyRing(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("Classifier");
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<ClassifierOptions>, ILoggerFactory>((keys, classifier, logs) =>
            keys.XmlRepository = classifier.Value.Storage.Provider == StorageProvider.PostgreSql
                ? new PostgreSqlXmlRepository(classifier.Value.Storage.ConnectionString!)
                : new FileSystemXmlRepository(OwnerOnlyFolder(Path.Combine(Path.GetFullPath(classifier.Value.StatePath), FolderName)), logs));
        return services;
    }

    /// <summary>The keys' folder, owner-only like the rest of the state (data protection writes the key files 0600 itself).</summary>
    private static DirectoryInfo OwnerOnlyFolder(string path)
    {
        var folder = Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return folder;
    }

    /// <summary>The key ring in the <c>data_protection_keys</c> table; data protection calls it rarely (at start, and when it rotates a key), and synchronously.</summary>
    private sealed class PostgreSqlXmlRepository(string connectionString) : IXmlRepository
    {
        private readonly Lazy<NpgsqlDataSource> _dataSource = new(() =>
        {
            // The table is the library's (a migration); data protection may ask before the migration service has run.
            PostgreSqlSchema.MigrateAsync(connectionString).GetAwaiter().GetResult();
            return NpgsqlDataSource.Create(connectionString);
        });

        public IReadOnlyCollection<XElement> GetAllElements()
        {
            using var command = _dataSource.Value.CreateCommand("SELECT xml FROM data_protection_keys ORDER BY id");
            using var reader = command.ExecuteReader();
            var elements = new List<XElement>();
            while (reader.Read())
                elements.Add(XElement.Parse(reader.GetString(0)));
            return elements;
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            // Two replicas creating their first key at once each store theirs; both are valid and both are read back.
            using var command = _dataSource.Value.CreateCommand("INSERT INTO data_protection_keys (friendly_name, xml) VALUES ($1, $2) ON CONFLICT (friendly_name) DO NOTHING");
            command.Parameters.Add(new() { Value = friendlyName });
            command.Parameters.Add(new() { Value = element.ToString(SaveOptions.DisableFormatting) });
            command.ExecuteNonQuery();
        }
    }
}
