// Ates.Tasks: the task tracker. Everything is wired in TasksSetup.
using Ates.Tasks;
using Ates.ServiceDefaults.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddTasks();
var app = builder.Build();
if (DeclareTopologyCommand.IsRequested(args)) return await DeclareTopologyCommand.RunAsync(app.Services, Console.Out);
app.MapTasks();
app.Run();
return 0;

/// <summary>Visible to WebApplicationFactory.</summary>
public partial class Program;
