namespace Classifier.Bench.Suites;
internal static class RetrainSuite
{
    internal static SuiteReport Run(BenchContext context) => throw new NotImplementedException();
}
