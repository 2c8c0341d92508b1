namespace Classifier.Tests.Infrastructure;

/// <summary>
/// Where this machine's PostgreSQL server binaries (<c>initdb</c>, <c>pg_ctl</c>) are: <c>CLASSIFIER_POSTGRESQL_BIN</c>
/// when set, else Debian's <c>/usr/lib/postgresql/VERSION/bin</c> (the newest), else the PATH.
/// </summary>
internal static class PostgreSqlBinaries
{
    private static readonly Lazy<string?> s_directory = new(Find);

    /// <summary>The folder holding <c>initdb</c> and <c>pg_ctl</c>, or null when this machine has none.</summary>
    internal static string? Directory => s_directory.Value;

    /// <summary>
    /// True when the PostgreSQL tests must run even without binaries (and then fail, saying why): CI sets
    /// <c>CLASSIFIER_POSTGRESQL_REQUIRED=1</c> (and <c>CI=true</c>), so they are never skipped there.
    /// </summary>
    internal static bool Required =>
        Environment.GetEnvironmentVariable("CLASSIFIER_POSTGRESQL_REQUIRED") is "1" or "true"
        || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why the PostgreSQL tests are skipped on this machine, or null when they run.</summary>
    internal static string? SkipReason => Directory is null && !Required
        ? "No PostgreSQL server binaries (initdb, pg_ctl) on this machine: install them (Debian: apt-get install postgresql) or set CLASSIFIER_POSTGRESQL_BIN to their folder."
        : null;

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("CLASSIFIER_POSTGRESQL_BIN") is { Length: > 0 } configured)
            return HasServer(configured) ? configured : null;
        const string debian = "/usr/lib/postgresql";
        if (System.IO.Directory.Exists(debian))
        {
            var newest = System.IO.Directory.GetDirectories(debian)
                .Select(folder => (Folder: Path.Combine(folder, "bin"), Version: int.TryParse(Path.GetFileName(folder), out var v) ? v : -1))
                .Where(candidate => HasServer(candidate.Folder))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Folder)
                .FirstOrDefault();
            if (newest is not null)
                return newest;
        }
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(HasServer);
    }

    private static bool HasServer(string folder) => File.Exists(Path.Combine(folder, "initdb")) && File.Exists(Path.Combine(folder, "pg_ctl"));
}
