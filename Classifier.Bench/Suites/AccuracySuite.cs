namespace Classifier.Bench.Suites;
internal static class AccuracySuite
{
    internal static SuiteReport Run(BenchContext context) => throw new NotImplementedException();
}
