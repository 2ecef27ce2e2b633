namespace Ates.ServiceDefaults.SignIn;

/// <summary>
/// The APIs an access token is issued for. Each service's name is its audience and the scope a client asks for it
/// with; a service takes only tokens whose audience names it, so a token meant for Tasks opens nothing in Accounting.
/// </summary>
public static class Audiences
{
    public const string Auth = "auth";
    public const string Tasks = "tasks";
    public const string Accounting = "accounting";
    public const string Analytics = "analytics";

    public static readonly IReadOnlyList<string> All = [Auth, Tasks, Accounting, Analytics];

    /// <summary>The scopes that ask for a token for every API, space-separated (scripts, the rebuild command).</summary>
    public static string AllAsScope => string.Join(' ', All);
}
