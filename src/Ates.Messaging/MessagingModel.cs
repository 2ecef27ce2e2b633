using Ates.Messaging.DeadLetters;
using Ates.Messaging.Inbox;
using Ates.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Ates.Messaging;

/// <summary>The messaging tables a service keeps in its own database, beside its state.</summary>
public static class MessagingModel
{
    public static ModelBuilder AddMessagingTables(this ModelBuilder model)
    {
        model.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox");
            e.HasKey(x => x.Sequence);
            e.Property(x => x.Sequence).ValueGeneratedOnAdd();
            e.HasIndex(x => x.EventId).IsUnique();
            e.HasIndex(x => new { x.PublishedAt, x.Sequence });
            // Each type's last sequence (the metrics' consumer lag) without reading the whole log.
            e.HasIndex(x => new { x.Type, x.Sequence });
            e.Property(x => x.Type).HasMaxLength(100);
            e.Property(x => x.PartitionKey).HasMaxLength(100);
        });
        model.Entity<InboxMessage>(e =>
        {
            e.ToTable("inbox");
            e.HasKey(x => x.EventId);
            e.HasIndex(x => new { x.Source, x.Sequence });
        });
        model.Entity<DeadLetter>(e =>
        {
            e.ToTable("dead_letters");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.EventId);
        });
        model.Entity<RelayLease>(e =>
        {
            e.ToTable("relay_lease");
            e.HasKey(x => x.Name);
        });
        return model;
    }
}
