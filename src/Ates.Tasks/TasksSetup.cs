using Ates.Messaging;
using Ates.Messaging.Transports.Embedded;
using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.Pages;
using Ates.ServiceDefaults.Users;
using Ates.Tasks.ClosingDay;
using Ates.Tasks.Completing;
using Ates.Tasks.Creating;
using Ates.Tasks.Data;
using Ates.Tasks.Domain;
using Ates.Tasks.Editing;
using Ates.Tasks.Hosting;
using Ates.Tasks.Listing;
using Ates.Tasks.Reassigning;
using Ates.Tasks.Shuffling;
using Ates.ServiceDefaults.Schema;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ates.Tasks;

public static class TasksSetup
{
    /// <summary>
    /// The task tracker's services, configured from the "Tasks" section (<see cref="TasksOptions"/>). In the one-process
    /// mode the host passes the <paramref name="bus"/> every service shares.
    /// </summary>
    public static WebApplicationBuilder AddTasks(this WebApplicationBuilder builder, EmbeddedBus? bus = null)
    {
        var options = builder.Configuration.GetSection("Tasks").Get<TasksOptions>() ?? new TasksOptions();
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddBillingCalendar(options.TimeZone, "Tasks:TimeZone");
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IRandomPick, SecureRandomPick>();

        services.AddDbContextPool<TasksDb>((sp, db) => db.UseServiceDatabase(options.Database, "Tasks:Database").AddOutboxSignal(sp));
        // Registered before AddMessaging so the schema is up to date before the relay's first poll.
        services.AddServiceSchema<TasksDb>(options.MigrateOnStart, "Tasks");
        services.AddMessaging<TasksDb>("tasks")
            .ReactToUserChanges<TasksDb, ReassignWhenAssigneeLeaves>()
            .UseTransport(options, bus, "Tasks");

        builder.AddServiceWeb(options, "Tasks");
        services.AddScoped<TaskQuery>();
        services.AddSingleton<TaskWriter>();
        services.AddScoped<CreateTask>();
        services.AddScoped<EditTask>();
        services.AddScoped<CompleteTask>();
        services.AddScoped<Reassigner>();
        services.AddScoped<ShuffleTasks>();
        services.AddScoped<DayCloser>();
        services.AddHostedService<DayCloseSchedule>();
        return builder;
    }

    public static WebApplication MapTasks(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<TasksOptions>();
        app.UseServiceWeb<TasksDb>(options);
        var api = app.MapGroup("/api").RequireAuthorization().WithTags("Tasks");
        var pages = app.MapGroup("").RequireAuthorization().RequireFormToken().ExcludeFromDescription();
        api.MapListTasks(pages);
        api.MapCreateTask(pages);
        api.MapEditTask(pages);
        api.MapCompleteTask(pages);
        api.MapShuffle(pages);
        api.MapCloseDay();
        return app;
    }
}
