using Ates.Messaging;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Ates.Auth.Data;

/// <summary>Auth's own database: accounts (Identity), OpenIddict's applications/authorizations/tokens, and the outbox.</summary>
public sealed class AuthDb(DbContextOptions<AuthDb> options) : IdentityUserContext<AuthUser, Guid>(options), IDataProtectionKeyContext
{
    /// <summary>The keys that protect sign-in cookies and antiforgery tokens, shared by every Auth instance.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        base.OnModelCreating(model);
        model.UseOpenIddict<Guid>();
        model.AddMessagingTables();
        model.Entity<DataProtectionKey>().ToTable("data_protection_keys");
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
