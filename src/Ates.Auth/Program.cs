// Ates.Auth: the OpenID Connect provider, the users and their events. Everything is wired in AuthSetup.
using Ates.Auth;
using Ates.ServiceDefaults.Hosting;

return await ServiceProgram.RunAsync(args, builder => builder.AddAuth(), app => app.MapAuth());

/// <summary>Visible to WebApplicationFactory.</summary>
public partial class Program;
