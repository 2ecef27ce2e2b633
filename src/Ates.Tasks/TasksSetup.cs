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

namespace Ates.Tasks;

public static class TasksSetup
{
    /// <summary>
    /// The task tracker's services, configured from the "Tasks" section (<see cref="TasksOptions"/>). In the one-process
    /// mode the host passes the <paramref name="bus"/> every service shares.
    /// </summary>
    public static WebApplicationBuilder AddTasks(this WebApplicationBuilder builder, EmbeddedBus? bus = null)
    {
        var options = builder.AddAtesService<TasksOptions, TasksDb>("Tasks", bus, events => events
            .ReactToUserChanges<TasksDb, ReassignWhenAssigneeLeaves>());
        var services = builder.Services;
        services.AddBillingCalendar(options.TimeZone, "Tasks:TimeZone");
        services.AddSingleton<IRandomPick, SecureRandomPick>();
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
        app.UseServiceWeb<TasksDb>(app.Services.GetRequiredService<TasksOptions>());
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
