using Ates.ServiceDefaults.Hosting;

namespace Ates.Tasks.Domain;

public static class TaskRefusals
{
    public static Refusal NoSuchTask(Guid id) => Refusal.NotFound("No such task", $"There is no task {id}.");
}
