using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Ates.Analytics.Tests;

/// <summary>A testbed that has played the scripted fortnight, shared by tests that only read.</summary>
public sealed class PlayedWeek : IAsyncLifetime
{
    public Testbed Testbed { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Testbed = await Testbed.StartAsync();
        await Week.PlayAsync(Testbed);
    }

    public async ValueTask DisposeAsync() => await Testbed.DisposeAsync();
}

/// <summary>The reports over the scripted fortnight (<see cref="Week"/>), through the JSON API and the pages, as an admin.</summary>
public sealed class ReportTests(PlayedWeek week) : IClassFixture<PlayedWeek>
{
    readonly Testbed _testbed = week.Testbed;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    async Task<JsonElement> GetAsync(string path)
    {
        using var admin = await _testbed.AdminAsync();
        using var response = await admin.GetAsync(path, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    [Theory]
    [InlineData("period=day&date=2026-03-03", "3 March — $28", "E")]
    [InlineData("from=2026-03-01&to=2026-03-03", "1–3 March — $38", "C")]
    [InlineData("period=week&date=2026-03-04", "2–8 March — $38", "C")]
    [InlineData("period=week", "9–15 March — $39", "J")]
    [InlineData("period=month&date=2026-03-31", "1–31 March — $39", "J")]
    [InlineData("period=month&date=2026-02-10", "1–28 February — $40", "A")]
    [InlineData("period=range&from=2026-02-27&to=2026-03-12", "27 February – 12 March — $40", "A")]
    [InlineData("", "12 March — $20", "K")]
    [InlineData("period=day&date=2026-03-05", "5 March — no task completed", null)]
    public async Task The_most_expensive_task_of_a_day_a_week_a_month_and_a_range(string query, string text, string? key)
    {
        var top = await GetAsync($"/api/most-expensive-task?{query}");
        Assert.Equal(text, top.GetProperty("text").GetString());
        if (key is null)
        {
            Assert.Equal(JsonValueKind.Null, top.GetProperty("task").ValueKind);
            return;
        }
        var job = Week.Task(key);
        var task = top.GetProperty("task");
        Assert.Equal(job.TaskId, task.GetProperty("id").GetGuid());
        Assert.Equal(job.Reward, task.GetProperty("price").GetDecimal());
        Assert.Equal(job.JiraId, task.GetProperty("jira_id").GetString());
        Assert.Equal(key == "C" ? Week.RenamedC : job.Title, task.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Earnings_today_and_any_day_and_the_popugs_in_the_negative()
    {
        var today = await GetAsync("/api/today");
        Assert.Equal("2026-03-12", today.GetProperty("day").GetString());
        Assert.Equal(7m, today.GetProperty("management_earnings").GetDecimal()); // fees 10 + 17, reward 20
        Assert.Equal(2, today.GetProperty("popugs_in_negative").GetInt32());      // W1 −17 and W4 −20; W3 +10 is not paid out yet
        Assert.Equal("12 March — $20", today.GetProperty("most_expensive_today").GetProperty("text").GetString());

        var third = await GetAsync("/api/earnings?date=2026-03-03");
        Assert.Equal((-25m, 25m, 50m, 25m), (third.GetProperty("management_earnings").GetDecimal(), third.GetProperty("assign_fees").GetDecimal(),
            third.GetProperty("rewards").GetDecimal(), third.GetProperty("payouts").GetDecimal()));
        Assert.Equal(7m, (await GetAsync("/api/earnings")).GetProperty("management_earnings").GetDecimal());
        Assert.Equal(0m, (await GetAsync("/api/earnings?date=2026-03-04")).GetProperty("management_earnings").GetDecimal()); // 18 + 13 − 31

        Assert.Equal(2, (await GetAsync("/api/popugs-in-negative")).GetProperty("popugs_in_negative").GetInt32());
        Assert.Equal(1, (await GetAsync("/api/popugs-in-negative?date=2026-03-04")).GetProperty("popugs_in_negative").GetInt32()); // W2 −13
        Assert.Equal(0, (await GetAsync("/api/popugs-in-negative?date=2026-03-10")).GetProperty("popugs_in_negative").GetInt32()); // W2 back up, paid out
    }

    [Fact]
    public async Task The_history_has_every_day_with_its_money_negatives_top_task_and_accountings_close()
    {
        var history = await GetAsync("/api/history?from=2026-02-27&to=2026-03-12");
        Assert.Equal(14, history.GetArrayLength());
        var byDay = history.EnumerateArray().ToDictionary(d => d.GetProperty("day").GetString()!);
        var expected = new Dictionary<string, (decimal Earnings, decimal Payouts, int Negative, string? Top)>
        {
            ["2026-02-27"] = (-25, 25, 0, "A"), ["2026-02-28"] = (0, 0, 0, null), ["2026-03-01"] = (-13, 13, 0, "B"),
            ["2026-03-02"] = (-28, 28, 0, "C"), ["2026-03-03"] = (-25, 25, 0, "E"), ["2026-03-04"] = (0, 13, 1, "H"),
            ["2026-03-05"] = (0, 0, 1, null), ["2026-03-08"] = (0, 0, 1, null), ["2026-03-09"] = (-17, 17, 1, "I"),
            ["2026-03-10"] = (-23, 10, 0, "J"), ["2026-03-11"] = (20, 0, 1, null), ["2026-03-12"] = (7, 0, 2, "K"),
        };
        foreach (var (day, want) in expected)
        {
            var d = byDay[day];
            var top = d.GetProperty("most_expensive_task");
            Assert.Equal(want, (d.GetProperty("management_earnings").GetDecimal(), d.GetProperty("payouts").GetDecimal(),
                d.GetProperty("popugs_in_negative").GetInt32(),
                top.ValueKind == JsonValueKind.Null ? null : Week.Jobs.Single(j => j.TaskId == top.GetProperty("id").GetGuid()).Key));
        }
        // Every day before today was closed by Accounting, with the same earnings; today is open.
        foreach (var d in history.EnumerateArray().Where(d => d.GetProperty("day").GetString() != "2026-03-12"))
            Assert.Equal(d.GetProperty("management_earnings").GetDecimal(), d.GetProperty("closed_by_accounting").GetProperty("management_earnings").GetDecimal());
        Assert.Equal(JsonValueKind.Null, byDay["2026-03-12"].GetProperty("closed_by_accounting").ValueKind);

        // The default is the last two weeks.
        var recent = await GetAsync("/api/history");
        Assert.Equal(["2026-02-27", "2026-03-12"], [recent[0].GetProperty("day").GetString()!, recent[recent.GetArrayLength() - 1].GetProperty("day").GetString()!]);
    }

    [Theory]
    [InlineData("/api/earnings?date=2026-13-01", "date")]
    [InlineData("/api/earnings?date=yesterday", "date")]
    [InlineData("/api/popugs-in-negative?date=2026-02-30", "date")]
    [InlineData("/api/most-expensive-task?from=2026-03-03&to=2026-03-01", "to")]
    [InlineData("/api/most-expensive-task?from=2026-03-03", "to")]
    [InlineData("/api/most-expensive-task?period=fortnight", "period")]
    [InlineData("/api/most-expensive-task?period=week&from=2026-03-01&to=2026-03-03", "period")]
    [InlineData("/api/history?from=2024-01-01&to=2026-03-01", "to")]
    [InlineData("/api/history?from=2026-03-05&to=2026-03-01", "to")]
    [InlineData("/history/chart.svg?from=2026-03-05", "to")]
    // The week and the month of the calendar's last day would end after it (they overflowed into a 500).
    [InlineData("/api/most-expensive-task?period=week&date=9999-12-31", "date")]
    [InlineData("/api/most-expensive-task?period=month&date=9999-12-31", "date")]
    [InlineData("/api/most-expensive-task?period=week&date=0001-01-01", "date")]
    [InlineData("/api/earnings?date=9999-12-31", "date")]
    public async Task Bad_query_parameters_are_a_400_problem_that_names_them(string path, string field)
    {
        using var admin = await _testbed.AdminAsync();
        using var response = await admin.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task The_dashboard_shows_today_any_day_the_tops_the_history_table_and_the_chart()
    {
        using var admin = await _testbed.AdminAsync();
        // Decoded as a browser shows it (Razor writes "−" as an entity).
        var page = WebUtility.HtmlDecode(await admin.GetStringAsync("/?date=2026-03-03&from=2026-03-01&to=2026-03-03", Ct));
        Assert.Contains("<title>Analytics · aTES</title>", page);
        Assert.Contains("data-test=\"earnings-today\">$7<", page);
        Assert.Contains("data-test=\"in-negative-today\">2<", page);
        Assert.Contains("3 March 2026: management earnings <strong class=\"neg\">−$25</strong>", page);
        Assert.Contains("Most expensive task, 1–3 March — $38: [UBERPOP-3] Count the sunflower seeds", page);
        Assert.Contains("Most expensive · 9–15 March", page);
        Assert.Contains("<svg", page);
        Assert.Contains("<td>Tue 3 Mar 2026</td>", page);
        Assert.Contains("href=\"/rebuild\"", page);

        using var bad = await admin.GetAsync("/?from=2026-03-05&to=2026-03-01", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("is before from", await bad.Content.ReadAsStringAsync(Ct));

        using var chart = await admin.GetAsync("/history/chart.svg?from=2026-03-01&to=2026-03-12", Ct);
        Assert.Equal("image/svg+xml", chart.Content.Headers.ContentType?.MediaType);
        var svg = await chart.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<title>2 March: −$28</title>", svg);
        Assert.Contains("<title>11 March: $20</title>", svg);
    }

    [Fact]
    public async Task The_api_is_described_in_the_openapi_document()
    {
        using var anonymous = await _testbed.ClientAsync(null);
        var document = await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/today", "/api/earnings", "/api/popugs-in-negative", "/api/most-expensive-task", "/api/history", "/api/rebuild" })
            Assert.True(paths.TryGetProperty(path, out _), path);
    }
}
