// Ates.Auth: the OpenID Connect provider, the users and their events. Everything is wired in AuthSetup.
using Ates.Auth;

var builder = WebApplication.CreateBuilder(args);
builder.AddAuth();
var app = builder.Build();
app.MapAuth();
app.Run();

/// <summary>Visible to WebApplicationFactory.</summary>
public partial class Program;
