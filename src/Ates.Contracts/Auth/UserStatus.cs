namespace Ates.Contracts;

/// <summary>Users are never deleted, only deactivated. JSON: <c>active</c>, <c>deactivated</c>.</summary>
public enum UserStatus
{
    Active,
    Deactivated,
}
