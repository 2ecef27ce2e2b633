// Ates.Tasks: the task tracker. Everything is wired in TasksSetup.
using Ates.Tasks;
using Ates.ServiceDefaults.Hosting;

return await ServiceProgram.RunAsync(args, builder => builder.AddTasks(), app => app.MapTasks());

/// <summary>Visible to WebApplicationFactory.</summary>
public partial class Program;
