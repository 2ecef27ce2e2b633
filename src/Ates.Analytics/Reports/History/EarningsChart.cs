using System.Globalization;
using System.Net;
using System.Text;

namespace Ates.Analytics.Reports.History;

/// <summary>
/// Management earnings per day as a server-rendered SVG bar chart: bars above the zero line for earnings, below it
/// (in red) for losses, dollar ticks on the left, day labels underneath. Money becomes double only to be drawn.
/// </summary>
public static class EarningsChart
{
    const double Width = 760, Height = 280, Left = 72, Right = 16, Top = 16, Bottom = 44;

    /// <summary>Round tick values (1, 2 or 5 times a power of ten dollars) from at or below the lowest value to at or above the highest, always through zero.</summary>
    public static IReadOnlyList<decimal> Ticks(decimal min, decimal max)
    {
        (min, max) = (Math.Min(min, 0), Math.Max(max, 0));
        if (min == max) return [0m, 10m];
        var raw = (max - min) / 4;
        var power = (decimal)Math.Pow(10, Math.Floor(Math.Log10((double)raw)));
        var step = new[] { 1m, 2m, 5m, 10m }.Select(f => f * power).First(s => s >= raw);
        var ticks = new List<decimal>();
        for (var t = Math.Floor(min / step) * step; t < max + step; t += step)
        {
            ticks.Add(t);
            if (t >= max) break;
        }
        return ticks;
    }

    public static string Render(IReadOnlyList<(DateOnly Day, decimal Earnings)> days)
    {
        var c = CultureInfo.InvariantCulture;
        string N(double v) => v.ToString("0.#", c);
        var ticks = Ticks(days.Count == 0 ? 0 : days.Min(d => d.Earnings), days.Count == 0 ? 0 : days.Max(d => d.Earnings));
        double low = (double)ticks[0], high = (double)ticks[^1];
        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        double Y(decimal value) => Top + (high - (double)value) / (high - low) * plotHeight;

        var svg = new StringBuilder();
        svg.Append(c, $"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {N(Width)} {N(Height)}" role="img" aria-label="Management earnings per day" font-family="system-ui,sans-serif" font-size="12">""");
        svg.Append("<title>Management earnings per day</title>");
        foreach (var tick in ticks)
        {
            var y = N(Y(tick));
            svg.Append($"""<line x1="{N(Left)}" x2="{N(Width - Right)}" y1="{y}" y2="{y}" stroke="{(tick == 0 ? "#5f6f67" : "#d8e2dc")}" stroke-width="{(tick == 0 ? "1.5" : "1")}"/>""");
            svg.Append($"""<text x="{N(Left - 8)}" y="{y}" dy="4" text-anchor="end" fill="#5f6f67">{WebUtility.HtmlEncode(Money.Format(tick))}</text>""");
        }

        if (days.Count > 0)
        {
            var slot = plotWidth / days.Count;
            var barWidth = Math.Max(1, slot * 0.7);
            // At most about fifteen day labels, so they never overlap.
            var labelEvery = (int)Math.Ceiling(days.Count / 15.0);
            for (var i = 0; i < days.Count; i++)
            {
                var (day, earnings) = days[i];
                var x = Left + i * slot + (slot - barWidth) / 2;
                var (top, bottom) = earnings >= 0 ? (Y(earnings), Y(0)) : (Y(0), Y(earnings));
                var label = $"{day.Day} {day.ToString("MMMM", c)}: {Money.Format(earnings)}";
                svg.Append($"""<rect x="{N(x)}" y="{N(top)}" width="{N(barWidth)}" height="{N(Math.Max(bottom - top, earnings == 0 ? 0 : 1))}" fill="{(earnings < 0 ? "#b3261e" : "#1f8a5b")}"><title>{WebUtility.HtmlEncode(label)}</title></rect>""");
                if (i % labelEvery == 0)
                    svg.Append($"""<text x="{N(Left + i * slot + slot / 2)}" y="{N(Height - Bottom + 18)}" text-anchor="middle" fill="#5f6f67">{day.Day} {day.ToString("MMM", c)}</text>""");
            }
        }
        else
        {
            svg.Append($"""<text x="{N(Left + plotWidth / 2)}" y="{N(Top + plotHeight / 2)}" text-anchor="middle" fill="#5f6f67">No days to show</text>""");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }
}
