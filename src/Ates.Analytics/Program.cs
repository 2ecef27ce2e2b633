// Ates.Analytics: the admins' reports, built only from events. Everything is wired in AnalyticsSetup.
// `dotnet run --project src/Ates.Analytics -- rebuild` drops Analytics' data and has the producers replay their logs.
using Ates.Analytics;
using Ates.Analytics.Rebuild;
using Ates.ServiceDefaults.Hosting;

return await ServiceProgram.RunAsync(args, builder => builder.AddAnalytics(), app => app.MapAnalytics(),
    new ServiceCommand(RebuildCommand.IsRequested, RebuildCommand.RunAsync));
