using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.SignIn;
using Microsoft.AspNetCore.Builder;

namespace Ates.ServiceDefaults.Tests;

/// <summary>Every service's web side (<see cref="ServiceWeb.AddServiceWeb"/>) refuses plain-HTTP sign-in metadata outside Development unless it is switched on.</summary>
public sealed class ProductionProfileTests
{
    static SignedInServiceOptions With(string authority, bool requireHttpsMetadata = true) =>
        new() { SignIn = new SignInOptions { Authority = authority, ClientId = "tasks", RequireHttpsMetadata = requireHttpsMetadata } };

    static WebApplicationBuilder In(string environment) => WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });

    [Fact]
    public void Outside_development_an_http_authority_stops_the_service_and_names_the_setting()
    {
        var refusal = Assert.Throws<InsecureSettingException>(() => In("Production").AddServiceWeb(With("http://auth.internal/"), "Tasks"));
        Assert.StartsWith("Tasks:SignIn:Authority: 'http://auth.internal/' is plain HTTP", refusal.Message);
        Assert.Contains("Tasks:SignIn:RequireHttpsMetadata", refusal.Message);
    }

    [Theory]
    [InlineData("Production", "https://auth.popug.inc/", true)]
    [InlineData("Production", "http://auth.internal/", false)] // switched on explicitly
    [InlineData("Development", "http://localhost:5101/", true)]
    public void Https_an_explicit_choice_or_development_start(string environment, string authority, bool requireHttpsMetadata)
    {
        var builder = In(environment);
        builder.AddServiceWeb(With(authority, requireHttpsMetadata), "Tasks");
        using var app = builder.Build();
        Assert.NotNull(app.Services.GetService(typeof(SiteLinks)));
    }
}
