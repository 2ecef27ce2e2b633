using Ates.Contracts;
using Ates.Messaging.DeadLetters;
using Ates.Messaging.Inbox;
using Ates.Messaging.Ops;
using Ates.Messaging.Outbox;
using Ates.Messaging.Partitions;
using Ates.Messaging.Transports;
using Ates.Messaging.Transports.Embedded;
using Ates.Messaging.Transports.RabbitMq;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ates.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// The outbox, relay, inbox and dead letters of one service whose database is <typeparamref name="TDb"/>
    /// (its model must call <see cref="MessagingModel.AddMessagingTables"/>, its options <see cref="AddOutboxSignal"/>).
    /// Choose a transport with <see cref="MessagingBuilder{TDb}.UseEmbedded"/> or <see cref="MessagingBuilder{TDb}.UseRabbitMq"/>.
    /// </summary>
    public static MessagingBuilder<TDb> AddMessaging<TDb>(this IServiceCollection services, string service, Action<MessagingOptions>? configure = null)
        where TDb : DbContext
    {
        var options = new MessagingOptions { Service = service };
        configure?.Invoke(options);
        var handlers = new HandlerMap();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(EventRegistry.Default);
        services.AddSingleton(options);
        services.AddSingleton(handlers);
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxSignalInterceptor>();
        services.AddScoped<IOutbox, Outbox<TDb>>();
        services.AddScoped<DeadLetterStore<TDb>>();
        services.AddScoped<EventLog<TDb>>();
        services.AddScoped<OpsStatusReader<TDb>>();
        services.AddSingleton<EventConsumer<TDb>>();
        services.AddSingleton<IConsumerRegistration>(sp => sp.GetRequiredService<EventConsumer<TDb>>());
        services.AddSingleton<OutboxFeed<TDb>>();
        services.AddSingleton<OutboxRelay<TDb>>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay<TDb>>());
        services.AddHostedService<ConsumerHost<TDb>>();
        services.AddHostedService<Ops.MessagingSampler<TDb>>();
        return new MessagingBuilder<TDb>(services, options, handlers);
    }

    /// <summary>Lets a commit that wrote outbox rows wake the relay at once.</summary>
    public static DbContextOptionsBuilder AddOutboxSignal(this DbContextOptionsBuilder builder, IServiceProvider services) =>
        builder.AddInterceptors(services.GetRequiredService<OutboxSignalInterceptor>());
}

public sealed class MessagingBuilder<TDb>(IServiceCollection services, MessagingOptions options, HandlerMap handlers)
    where TDb : DbContext
{
    EmbeddedBus? _bus;

    public MessagingOptions Options => options;

    public IServiceCollection Services => services;

    public MessagingBuilder<TDb> Handle<TEvent, THandler>()
        where TEvent : notnull
        where THandler : class, IEventHandler<TEvent>
    {
        handlers.Add<TEvent>(EventRegistry.Default);
        services.AddScoped<IEventHandler<TEvent>, THandler>();
        _bus?.Declare(options.Service, handlers.EventTypes);
        return this;
    }

    /// <summary>Adds a batch preload (<see cref="IBatchPreload"/>), scoped like the handlers.</summary>
    public MessagingBuilder<TDb> Preload<TPreload>() where TPreload : class, IBatchPreload
    {
        services.TryAddScoped<TPreload>();
        services.AddScoped<IBatchPreload>(sp => sp.GetRequiredService<TPreload>());
        return this;
    }

    /// <summary>Adds a hook run after each committed batch (<see cref="IBatchCommitted"/>), scoped like the handlers.</summary>
    public MessagingBuilder<TDb> AfterCommit<THook>() where THook : class, IBatchCommitted
    {
        services.TryAddScoped<THook>();
        services.AddScoped<IBatchCommitted>(sp => sp.GetRequiredService<THook>());
        return this;
    }

    /// <summary>In-process delivery through a bus shared by every service of the process.</summary>
    public MessagingBuilder<TDb> UseEmbedded(EmbeddedBus bus)
    {
        _bus = bus;
        bus.Declare(options.Service, handlers.EventTypes);
        services.AddSingleton(bus);
        services.AddSingleton<EmbeddedTransport>();
        services.AddSingleton<IEventTransport>(sp => sp.GetRequiredService<EmbeddedTransport>());
        services.AddSingleton<IConsumerTransport>(sp => sp.GetRequiredService<EmbeddedTransport>());
        return this;
    }

    public MessagingBuilder<TDb> UseRabbitMq(Action<RabbitMqOptions> configure)
    {
        var rabbit = new RabbitMqOptions();
        configure(rabbit);
        services.AddSingleton(rabbit);
        services.AddSingleton<RabbitMqConnection>();
        services.AddSingleton<RabbitMqTransport>();
        services.AddSingleton<IEventTransport>(sp => sp.GetRequiredService<RabbitMqTransport>());
        services.AddSingleton<IConsumerTransport>(sp => sp.GetRequiredService<RabbitMqTransport>());
        // Registered after the consumer's host: it starts once the consumer is declared and stops before it.
        services.AddSingleton<PartitionCoordinator<TDb>>();
        services.AddHostedService(sp => sp.GetRequiredService<PartitionCoordinator<TDb>>());
        return this;
    }
}
