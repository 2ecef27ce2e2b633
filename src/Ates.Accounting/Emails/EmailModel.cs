using Ates.Accounting.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Ates.Accounting.Emails;

/// <summary>The emails waiting to be sent, and sent, in Accounting's database.</summary>
public static class EmailModel
{
    extension(AccountingDb db)
    {
        public DbSet<Email> Emails => db.Set<Email>();
    }

    sealed class EmailTable : IEntityTypeConfiguration<Email>
    {
        public void Configure(EntityTypeBuilder<Email> e)
        {
            e.ToTable("emails");
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(x => new { x.SentAt, x.NextAttemptAt });
            e.Property(x => x.Attempts).IsConcurrencyToken();
            e.Ignore(x => x.MessageId);
        }
    }
}
