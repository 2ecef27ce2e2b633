// Ates.Tasks: the task tracker. Everything is wired in TasksSetup.
using Ates.Tasks;
using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.Schema;

var builder = WebApplication.CreateBuilder(args);
builder.AddTasks();
var app = builder.Build();
if (MigrateCommand.IsRequested(args)) return await MigrateCommand.RunAsync(app.Services, Console.Out);
if (DeclareTopologyCommand.IsRequested(args)) return await DeclareTopologyCommand.RunAsync(app.Services, Console.Out);
app.MapTasks();
app.Run();
return 0;

/// <summary>Visible to WebApplicationFactory.</summary>
public partial class Program;
