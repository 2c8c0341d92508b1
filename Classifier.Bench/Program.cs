using System.Diagnostics;
using Classifier.Bench;
using Classifier.Bench.Serving;
using Classifier.Bench.Suites;

// The serve suite's HTTP client, started by the suite as a process of its own (ClientProcess).
if (args is [ClientProcess.Verb])
    return ClientProcess.Serve(Console.In, Console.Out);

var suites = new Dictionary<string, Func<BenchContext, SuiteReport>>(StringComparer.OrdinalIgnoreCase)
{
    ["featurize"] = FeaturizeSuite.Run,
    ["retrain"] = RetrainSuite.Run,
    ["accuracy"] = AccuracySuite.Run,
    ["decode"] = DecodeSuite.Run,
    ["serve"] = ServeSuite.Run,
    ["hotswap"] = HotswapSuite.Run,
    ["memory"] = MemorySuite.Run,
    ["cascade"] = CascadeSuite.Run,
    ["newclass"] = NewClassSuite.Run,
    ["overload"] = OverloadSuite.Run,
    ["int8"] = Int8Suite.Run,
    ["active"] = ActiveSuite.Run,
    ["privacy"] = PrivacySuite.Run,
    ["durability"] = DurabilitySuite.Run,
    ["postgresql"] = PostgreSqlSuite.Run,
};

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine($"usage: Classifier.Bench SUITE [--out DIR] [--images N] [--per-class N,N,...]\nsuites: all, {string.Join(", ", suites.Keys)}");
    return args.Length == 0 ? 2 : 0;
}

var context = BenchContext.Parse(args[1..]);
var chosen = args[0].Equals("all", StringComparison.OrdinalIgnoreCase) ? suites.Keys.ToArray() : [args[0]];
foreach (var name in chosen)
{
    if (!suites.TryGetValue(name, out var run))
    {
        Console.Error.WriteLine($"Unknown suite '{name}'. Known: all, {string.Join(", ", suites.Keys)}.");
        return 2;
    }
    var stopwatch = Stopwatch.StartNew();
    var report = run(context);
    report.Write(context.OutputFolder);
    Console.WriteLine(report.ToMarkdown());
    Console.WriteLine($"({name}: {stopwatch.Elapsed.TotalSeconds:F0} s; {Path.Combine(context.OutputFolder, name + ".json")})");
}
return 0;
