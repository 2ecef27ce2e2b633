using Microsoft.AspNetCore.Builder;

namespace Ates.Analytics.Tests;

/// <summary>Every report of the scripted fortnight as the API answers it: two Analytics with equal snapshots show the same numbers.</summary>
public static class Snapshots
{
    static readonly string[] Paths =
    [
        "/api/today",
        "/api/history?from=2026-02-20&to=2026-03-15",
        "/api/most-expensive-task?period=day&date=2026-03-03",
        "/api/most-expensive-task?from=2026-03-01&to=2026-03-03",
        "/api/most-expensive-task?period=week&date=2026-03-04",
        "/api/most-expensive-task?period=week",
        "/api/most-expensive-task?period=month",
        "/api/most-expensive-task?period=month&date=2026-02-01",
        "/api/earnings?date=2026-03-03",
        "/api/popugs-in-negative?date=2026-03-04",
        "/api/popugs-in-negative",
    ];

    public static async Task<string> TakeAsync(Testbed testbed, WebApplication? app = null)
    {
        using var admin = await testbed.AdminAsync(app);
        var parts = new List<string>();
        foreach (var path in Paths)
        {
            using var response = await admin.GetAsync(path, TestContext.Current.CancellationToken);
            parts.Add($"{path} {(int)response.StatusCode}\n{await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        }
        return string.Join("\n\n", parts);
    }
}
