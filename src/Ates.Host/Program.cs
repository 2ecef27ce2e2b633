// The one-process launcher. Until the services exist it serves only the start page.
var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls(builder.Configuration["urls"] ?? "http://localhost:5000");
var app = builder.Build();
app.MapGet("/", () => Results.Content(
    "<!doctype html><title>aTES</title><h1>aTES</h1><p>The Awesome Task Exchange System is being built. The services appear here as they land.</p>",
    "text/html"));
app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
app.Run();
