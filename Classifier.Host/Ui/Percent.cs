using System.Globalization;

namespace Classifier.Host.Ui;

/// <summary>Shares as the console shows them: <c>84.8%</c>, whatever the server's culture.</summary>
internal static class Percent
{
    internal static string Pct(this double share, int decimals = 1) =>
        (share * 100).ToString(decimals == 0 ? "0" : "0." + new string('0', decimals), CultureInfo.InvariantCulture) + "%";

    internal static string Pct(this float share, int decimals = 1) => ((double)share).Pct(decimals);
}
