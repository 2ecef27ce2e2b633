namespace Ates.Contracts;

/// <summary>A user's one role. JSON: <c>admin</c>, <c>manager</c>, <c>accountant</c>, <c>worker</c>.</summary>
public enum UserRole
{
    Admin,
    Manager,
    Accountant,
    Worker,
}
