using Ates.Messaging;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Ates.Auth.Data;

/// <summary>Auth's own database: accounts (Identity), OpenIddict's applications/authorizations/tokens, and the outbox.</summary>
public sealed class AuthDb(DbContextOptions<AuthDb> options) : IdentityUserContext<AuthUser, Guid>(options)
{
    protected override void OnModelCreating(ModelBuilder model)
    {
        base.OnModelCreating(model);
        model.UseOpenIddict<Guid>();
        model.AddMessagingTables();
        model.Entity<AuthUser>(e =>
        {
            e.ToTable("users");
            // Identity checks for a duplicate email first; the unique index settles two concurrent creates.
            e.HasIndex(u => u.NormalizedEmail).IsUnique();
            e.Property(u => u.Name).HasMaxLength(200);
            e.Property(u => u.Role).HasConversion<string>().HasMaxLength(20);
            e.Property(u => u.Status).HasConversion<string>().HasMaxLength(20);
        });
    }
}
