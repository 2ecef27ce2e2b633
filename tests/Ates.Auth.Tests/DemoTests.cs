using Ates.Auth.Demo;
using Ates.Auth.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.Auth.Tests;

/// <summary>The demo company: printed once in Development, never printed in Production.</summary>
public sealed class DemoTests
{
    [Theory]
    [InlineData("Development", true)]
    [InlineData("Production", false)]
    public async Task Seeding_prints_random_passwords_only_in_development(string environment, bool printed)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new AuthApp
        {
            Settings = [("Auth:Demo:Seed", "false"), ("Auth:RequireHttps", "false"), ("environment", environment)],
        };
        _ = app.Server; // start it: no users yet
        Assert.Equal(0, await app.DbAsync(db => db.Users.CountAsync(ct)));

        var console = new StringWriter();
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DemoCompany>().SeedAsync(new DemoOptions { Workers = 10 }, console, ct);

        Assert.Equal(13, await app.DbAsync(db => db.Users.CountAsync(ct)));
        Assert.Equal((13, 13), await app.CountsAsync());
        var passwords = System.Text.RegularExpressions.Regex.Matches(console.ToString(), @"beak-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}").Count;
        Assert.Equal(printed ? 13 : 0, passwords);

        // A second run finds users and neither seeds nor prints again.
        var again = new StringWriter();
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DemoCompany>().SeedAsync(new DemoOptions { Workers = 10 }, again, ct);
        Assert.Equal("", again.ToString());
        Assert.Equal((13, 13), await app.CountsAsync());
    }
}
