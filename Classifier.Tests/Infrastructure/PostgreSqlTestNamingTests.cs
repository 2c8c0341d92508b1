using System.Text.RegularExpressions;

namespace Classifier.Tests.Infrastructure;

/// <summary>CI (.ci/run) finds the PostgreSQL tests in the TRX by their class names, which carries no traits: keep the names true.</summary>
public sealed class PostgreSqlTestNamingTests
{
    [Fact]
    public void EveryClassUsingPostgreSql_IsNamedPostgreSqlSomethingTests()
    {
        var classes = typeof(PostgreSqlTestNamingTests).Assembly.GetTypes().Where(t => t.IsDefined(typeof(UsesPostgreSqlAttribute), inherit: false)).ToList();

        Assert.NotEmpty(classes);
        Assert.All(classes, t => Assert.Matches(new Regex("^PostgreSql[A-Za-z]*Tests$"), t.Name));
    }
}
