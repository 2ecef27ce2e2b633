using Ates.Contracts;

namespace Ates.Auth.Users;

/// <summary>Roles as they appear in tokens, the API and events: lower-case names.</summary>
public static class Roles
{
    public static readonly string[] Names = [.. Enum.GetValues<UserRole>().Select(Name)];

    public static string Name(UserRole role) => role.ToString().ToLowerInvariant();

    public static bool TryParse(string value, out UserRole role)
    {
        foreach (var r in Enum.GetValues<UserRole>())
            if (string.Equals(Name(r), value.Trim(), StringComparison.OrdinalIgnoreCase)) { role = r; return true; }
        role = default;
        return false;
    }
}
