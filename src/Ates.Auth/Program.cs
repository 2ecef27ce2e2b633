// Ates.Auth: the OpenID Connect provider, the users and their events. Everything is wired in AuthSetup.
using Ates.Auth;
using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.Schema;

var builder = WebApplication.CreateBuilder(args);
builder.AddAuth();
var app = builder.Build();
if (MigrateCommand.IsRequested(args)) return await MigrateCommand.RunAsync(app.Services, Console.Out);
if (DeclareTopologyCommand.IsRequested(args)) return await DeclareTopologyCommand.RunAsync(app.Services, Console.Out);
app.MapAuth();
app.Run();
return 0;

/// <summary>Visible to WebApplicationFactory.</summary>
public partial class Program;
