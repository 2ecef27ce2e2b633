using Ates.Messaging;
using Ates.Messaging.Transports.Embedded;
using Ates.ServiceDefaults.Schema;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ates.ServiceDefaults.Hosting;

/// <summary>
/// The start every aTES service goes through, Auth included: its options, its database with the outbox's wake-up, its
/// schema prepared before anything else of it runs, its messaging on the configured transport, and the web parts every
/// service shares. A service's setup then lists only its own features.
/// </summary>
public static class ServiceBootstrap
{
    /// <summary>
    /// The service configured from the section <paramref name="section"/> ("Tasks"; its lower-case form names the
    /// service on the bus and in telemetry). <paramref name="events"/> names the events it handles, its users replica
    /// included; <paramref name="configure"/> completes the options from what was configured. In the one-process mode
    /// the host passes the <paramref name="bus"/> every service shares.
    /// </summary>
    public static TOptions AddAtesService<TOptions, TDb>(this WebApplicationBuilder builder, string section, EmbeddedBus? bus,
        Action<MessagingBuilder<TDb>>? events = null, Action<TOptions>? configure = null)
        where TOptions : ServiceOptions, new() where TDb : DbContext
    {
        var options = builder.Configuration.GetSection(section).Get<TOptions>() ?? new TOptions();
        configure?.Invoke(options);
        var service = section.ToLowerInvariant();
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton<ServiceOptions>(options);
        services.TryAddSingleton(TimeProvider.System);

        services.AddDbContextPool<TDb>((sp, db) => db.UseServiceDatabase(options.Database, $"{section}:Database").AddOutboxSignal(sp));
        // First, so that the schema is up to date and the service's own preparations (AddServicePreparation) are done
        // before the relay's first poll and the consumer's first delivery.
        services.AddServiceSchema<TDb>(options.MigrateOnStart, section);
        var messaging = services.AddMessaging<TDb>(service);
        events?.Invoke(messaging);
        messaging.UseTransport(options, bus, section);

        if (options is SignedInServiceOptions signedIn) builder.AddServiceWeb(signedIn, section);
        else builder.AddServiceApi(service, service);
        return options;
    }
}
