// Ates.Tasks: the task tracker. Everything is wired in TasksSetup.
using Ates.Tasks;

var builder = WebApplication.CreateBuilder(args);
builder.AddTasks();
var app = builder.Build();
app.MapTasks();
app.Run();

/// <summary>Visible to WebApplicationFactory.</summary>
public partial class Program;
