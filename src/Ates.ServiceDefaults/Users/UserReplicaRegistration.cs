using Ates.Contracts;
using Ates.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.ServiceDefaults.Users;

public static class UserReplicaRegistration
{
    /// <summary>
    /// Keeps the service's replica of users from user.created / user.updated with the default handler.
    /// The service's model must call <see cref="UserReplicaModel.AddUserReplica"/>.
    /// </summary>
    public static MessagingBuilder<TDb> KeepUserReplica<TDb>(this MessagingBuilder<TDb> messaging)
        where TDb : DbContext
    {
        messaging.Services.AddScoped<UserReplica<TDb>>();
        return messaging
            .Handle<UserCreated, UserSnapshotHandler<TDb>>()
            .Handle<UserUpdated, UserSnapshotHandler<TDb>>();
    }
}
