using Ates.Contracts;
using Ates.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ates.ServiceDefaults.Users;

public static class UserReplicaRegistration
{
    /// <summary>
    /// Keeps the service's replica of users from user.created / user.updated (<see cref="UserSnapshotHandler{TDb}"/>).
    /// The service's model must call <see cref="UserReplicaModel.AddUserReplica"/>.
    /// </summary>
    public static MessagingBuilder<TDb> KeepUserReplica<TDb>(this MessagingBuilder<TDb> messaging)
        where TDb : DbContext
    {
        messaging.Services.TryAddScoped<UserReplica<TDb>>();
        if (messaging.Services.Any(d => d.ImplementationType == typeof(UserSnapshotHandler<TDb>))) return messaging;
        return messaging
            .Handle<UserCreated, UserSnapshotHandler<TDb>>()
            .Handle<UserUpdated, UserSnapshotHandler<TDb>>();
    }

    /// <summary>Keeps the replica, and runs <typeparamref name="TReaction"/> on every change it takes.</summary>
    public static MessagingBuilder<TDb> ReactToUserChanges<TDb, TReaction>(this MessagingBuilder<TDb> messaging)
        where TDb : DbContext where TReaction : class, IUserChangeReaction<TDb>
    {
        messaging.Services.AddScoped<IUserChangeReaction<TDb>, TReaction>();
        return messaging.KeepUserReplica();
    }
}
