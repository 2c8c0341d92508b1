using Xunit.Abstractions;
using Xunit.Sdk;

namespace Classifier.Tests.Infrastructure;

/// <summary>
/// Marks a test class whose tests need the throwaway PostgreSQL server (<see cref="PostgreSqlFixture"/>): its
/// <see cref="DatabaseFactAttribute"/> and <see cref="DatabaseTheoryAttribute"/> tests are skipped, with the reason,
/// on a machine without PostgreSQL binaries (never in CI, see <see cref="PostgreSqlBinaries.Required"/>), and it
/// carries the trait <c>Category=PostgreSql</c> (<c>dotnet test --filter Category=PostgreSql</c>).
/// </summary>
[TraitDiscoverer("Classifier.Tests.Infrastructure.UsesPostgreSqlTraitDiscoverer", "Classifier.Tests")]
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class UsesPostgreSqlAttribute : Attribute, ITraitAttribute;

/// <summary>The trait of <see cref="UsesPostgreSqlAttribute"/>.</summary>
public sealed class UsesPostgreSqlTraitDiscoverer : ITraitDiscoverer
{
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute) => [new("Category", "PostgreSql")];
}
