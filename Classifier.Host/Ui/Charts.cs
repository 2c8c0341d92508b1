using System.Globalization;
using System.Text;
using Classifier.Feedback;
using Microsoft.AspNetCore.Html;

namespace Classifier.Host.Ui;

/// <summary>
/// Charts drawn by the server as SVG: no script, no library, readable without colour (each series has its own
/// pattern and a text label), and scaled by the viewBox to any width.
/// </summary>
internal static class Charts
{
    private const int Width = 640;
    private const int Height = 200;
    private const int Left = 36;
    private const int Bottom = 24;
    private const int Top = 10;

    /// <summary>Predictions and corrections per day as paired bars, with the day under every other pair.</summary>
    internal static IHtmlContent Activity(IReadOnlyList<DailyActivity> days)
    {
        long max = Math.Max(1, days.Max(d => Math.Max(d.Predictions, d.Corrections)));
        double plotHeight = Height - Bottom - Top;
        double slot = (Width - Left) / (double)Math.Max(1, days.Count);
        double bar = Math.Max(2, slot * 0.35);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg class="chart" viewBox="0 0 {Width} {Height}" role="img" aria-labelledby="activity-title"><title id="activity-title">Predictions and corrections per day over the last {days.Count} days; the table below lists the numbers.</title>""");
        foreach (double fraction in (double[])[0, 0.5, 1])
        {
            double y = Top + plotHeight * (1 - fraction);
            svg.Append(CultureInfo.InvariantCulture, $"""<line class="grid" x1="{Left}" x2="{Width}" y1="{y:0.#}" y2="{y:0.#}"/><text class="axis" x="{Left - 4}" y="{y + 4:0.#}" text-anchor="end">{Math.Round(max * fraction):0}</text>""");
        }
        for (int i = 0; i < days.Count; i++)
        {
            double x = Left + i * slot + slot * 0.1;
            double hp = plotHeight * days[i].Predictions / max;
            double hc = plotHeight * days[i].Corrections / max;
            svg.Append(CultureInfo.InvariantCulture, $"""<rect class="predictions" x="{x:0.#}" y="{Top + plotHeight - hp:0.#}" width="{bar:0.#}" height="{hp:0.#}"/>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<rect class="corrections" x="{x + bar:0.#}" y="{Top + plotHeight - hc:0.#}" width="{bar:0.#}" height="{hc:0.#}"/>""");
            if (i % 2 == days.Count % 2 || days.Count <= 7)
                svg.Append(CultureInfo.InvariantCulture, $"""<text class="axis" x="{x + bar:0.#}" y="{Height - 6}" text-anchor="middle">{days[i].Day:MM-dd}</text>""");
        }
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    /// <summary>Class probabilities as horizontal bars, best first, each with its label and percentage in text.</summary>
    internal static IHtmlContent Scores(IReadOnlyList<Serving.LabelScore> scores)
    {
        const int row = 28;
        int height = row * scores.Count;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg class="scores" viewBox="0 0 {Width} {height}" role="img" aria-labelledby="scores-title"><title id="scores-title">Probability of each listed class</title>""");
        for (int i = 0; i < scores.Count; i++)
        {
            double y = i * row;
            double w = (Width - 260) * Math.Clamp(scores[i].Score, 0, 1);
            var label = System.Net.WebUtility.HtmlEncode(scores[i].Label);
            svg.Append(CultureInfo.InvariantCulture, $"""<text class="label" x="0" y="{y + 19}">{label}</text><rect class="{(i == 0 ? "best" : "other")}" x="170" y="{y + 5}" width="{Math.Max(1, w):0.#}" height="{row - 10}"/><text class="value" x="{176 + w:0.#}" y="{y + 19}">{scores[i].Score.Pct()}</text>""");
        }
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    /// <summary>The heat level (0..8) of a confusion-matrix cell: its share of the largest count, so the diagonal stands out.</summary>
    internal static int Heat(int count, int max) => count == 0 || max == 0 ? 0 : 1 + (int)Math.Round(7.0 * count / max);
}
