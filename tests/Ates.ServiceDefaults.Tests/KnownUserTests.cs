using Ates.Contracts;
using Ates.ServiceDefaults.Users;

namespace Ates.ServiceDefaults.Tests;

public sealed class KnownUserTests
{
    static readonly Guid Id = Guid.Parse("0b6f3c3e-8d7a-4f8e-9f1e-3a2b1c0d9e8f");

    [Fact]
    public void A_newer_snapshot_replaces_what_is_held_and_an_older_one_is_ignored()
    {
        var user = KnownUser.Placeholder(Id);
        Assert.True(user.IsPlaceholder);

        Assert.True(user.Apply(new UserUpdated(Id, "Kesha", "kesha@uberpopug.test", UserRole.Manager, UserStatus.Deactivated, 3)));
        Assert.False(user.Apply(new UserCreated(Id, "Kesha", "old@uberpopug.test", UserRole.Worker, UserStatus.Active, 1)));
        Assert.False(user.Apply(new UserUpdated(Id, "Kesha", "same@uberpopug.test", UserRole.Worker, UserStatus.Active, 3)));

        Assert.Equal(("kesha@uberpopug.test", UserRole.Manager, UserStatus.Deactivated, 3L), (user.Email, user.Role, user.Status, user.EntityVersion));
        Assert.False(user.IsPlaceholder);
        Assert.False(user.IsActive);
    }

    [Fact]
    public void A_snapshot_of_another_user_is_refused()
    {
        var user = KnownUser.Placeholder(Id);
        Assert.Throws<ArgumentException>(() => user.Apply(new UserCreated(Guid.NewGuid(), "Other", "o@uberpopug.test", UserRole.Worker, UserStatus.Active, 1)));
    }
}
