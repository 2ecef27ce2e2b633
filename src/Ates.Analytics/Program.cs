// Ates.Analytics: the admins' reports, built only from events. Everything is wired in AnalyticsSetup.
// `dotnet run --project src/Ates.Analytics -- rebuild` drops Analytics' data and has the producers replay their logs.
using Ates.Analytics;
using Ates.Analytics.Rebuild;
using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.Schema;

var builder = WebApplication.CreateBuilder(args);
builder.AddAnalytics();
var app = builder.Build();
if (MigrateCommand.IsRequested(args)) return await MigrateCommand.RunAsync(app.Services, Console.Out);
if (DeclareTopologyCommand.IsRequested(args)) return await DeclareTopologyCommand.RunAsync(app.Services, Console.Out);
if (RebuildCommand.IsRequested(args)) return await RebuildCommand.RunAsync(app.Services, args, Console.Out);
app.MapAnalytics();
app.Run();
return 0;
