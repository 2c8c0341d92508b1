using Xunit.Abstractions;
using Xunit.Sdk;

namespace Classifier.Tests.Infrastructure;

/// <summary>
/// A fact that any store's test class may inherit (the store contracts use it): it runs as a <c>[Fact]</c>, but is
/// skipped with the reason when its test class is marked <see cref="UsesPostgreSqlAttribute"/> and this machine has
/// no PostgreSQL (xunit 2 has no skip at run time; the decision is made when tests are discovered).
/// </summary>
[XunitTestCaseDiscoverer("Classifier.Tests.Infrastructure.DatabaseFactDiscoverer", "Classifier.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class DatabaseFactAttribute : FactAttribute;

/// <summary>The theory counterpart of <see cref="DatabaseFactAttribute"/>; a skipped theory is one skipped test.</summary>
[XunitTestCaseDiscoverer("Classifier.Tests.Infrastructure.DatabaseTheoryDiscoverer", "Classifier.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class DatabaseTheoryAttribute : TheoryAttribute;

/// <summary>Discovers <see cref="DatabaseFactAttribute"/> tests.</summary>
public sealed class DatabaseFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer _facts = new(diagnosticMessageSink);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        DatabaseSkip.Discover(diagnosticMessageSink, discoveryOptions, testMethod) ?? _facts.Discover(discoveryOptions, testMethod, factAttribute);
}

/// <summary>Discovers <see cref="DatabaseTheoryAttribute"/> tests.</summary>
public sealed class DatabaseTheoryDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private readonly TheoryDiscoverer _theories = new(diagnosticMessageSink);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        DatabaseSkip.Discover(diagnosticMessageSink, discoveryOptions, testMethod) ?? _theories.Discover(discoveryOptions, testMethod, factAttribute);
}

/// <summary>The skipped test case that stands for a database test on a machine without the database.</summary>
public sealed class DatabaseSkip : XunitTestCase
{
    private string _reason = "";

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public DatabaseSkip()
    {
    }

    private DatabaseSkip(IMessageSink diagnosticMessageSink, ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, string reason)
        : base(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)
    {
        _reason = reason;
    }

    /// <summary>One skipped test case when <paramref name="testMethod"/>'s class needs PostgreSQL and this machine has none; else null.</summary>
    internal static IEnumerable<IXunitTestCase>? Discover(IMessageSink diagnosticMessageSink, ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod) =>
        testMethod.TestClass.Class.GetCustomAttributes(typeof(UsesPostgreSqlAttribute)).Any() && PostgreSqlBinaries.SkipReason is { } reason
            ? [new DatabaseSkip(diagnosticMessageSink, discoveryOptions, testMethod, reason)]
            : null;

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _reason;

    public override void Serialize(IXunitSerializationInfo data)
    {
        data.AddValue("SkipReason", _reason);
        base.Serialize(data);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        _reason = data.GetValue<string>("SkipReason");
        base.Deserialize(data);
    }
}
