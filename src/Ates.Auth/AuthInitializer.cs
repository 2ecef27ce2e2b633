using Ates.Auth.Demo;
using Ates.Auth.Hosting;
using Ates.ServiceDefaults.Schema;
using Ates.ServiceDefaults.SignIn;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ates.Auth;

/// <summary>
/// Runs once the schema is ready, before the outbox relay starts: registers the OAuth clients from configuration and
/// seeds the demo company.
/// </summary>
public sealed class AuthInitializer(IServiceProvider services, AuthOptions options, IHostEnvironment env) : IServicePreparation
{
    public async Task PrepareAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();

        var apps = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        if (options.PasswordGrant == true)
            await UpsertAsync(apps, WithApiScopes(new OpenIddictApplicationDescriptor
            {
                ClientId = options.PasswordClientId,
                DisplayName = "aTES scripts and tests (first-party, password grant)",
                ClientType = ClientTypes.Public,
                Permissions =
                {
                    Permissions.Endpoints.Token,
                    Permissions.GrantTypes.Password,
                    Permissions.GrantTypes.RefreshToken,
                    Permissions.Scopes.Profile, Permissions.Scopes.Email, Permissions.Scopes.Roles,
                },
            }), ct);
        foreach (var client in options.Clients)
        {
            var descriptor = WithApiScopes(new OpenIddictApplicationDescriptor
            {
                ClientId = client.ClientId,
                DisplayName = string.IsNullOrEmpty(client.DisplayName) ? client.ClientId : client.DisplayName,
                ClientType = ClientTypes.Public,
                ConsentType = ConsentTypes.Implicit,
                Permissions =
                {
                    Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                    Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken,
                    Permissions.ResponseTypes.Code,
                    Permissions.Scopes.Profile, Permissions.Scopes.Email, Permissions.Scopes.Roles,
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            });
            foreach (var uri in client.RedirectUris) descriptor.RedirectUris.Add(new Uri(uri));
            foreach (var uri in client.PostLogoutRedirectUris) descriptor.PostLogoutRedirectUris.Add(new Uri(uri));
            await UpsertAsync(apps, descriptor, ct);
        }

        if (options.Demo.Seed ?? env.IsDevelopment())
            await scope.ServiceProvider.GetRequiredService<DemoCompany>().SeedAsync(options.Demo, Console.Out, ct);
    }

    /// <summary>Every client is first-party: it may ask for a token for any aTES API (each service's pages ask for what they call).</summary>
    static OpenIddictApplicationDescriptor WithApiScopes(OpenIddictApplicationDescriptor descriptor)
    {
        foreach (var api in Audiences.All) descriptor.Permissions.Add(Permissions.Prefixes.Scope + api);
        return descriptor;
    }

    /// <summary>Configuration is the source of truth for clients: an existing one is brought up to date.</summary>
    static async Task UpsertAsync(IOpenIddictApplicationManager apps, OpenIddictApplicationDescriptor descriptor, CancellationToken ct)
    {
        if (await apps.FindByClientIdAsync(descriptor.ClientId!, ct) is { } existing)
            await apps.UpdateAsync(existing, descriptor, ct);
        else
            await apps.CreateAsync(descriptor, ct);
    }
}
