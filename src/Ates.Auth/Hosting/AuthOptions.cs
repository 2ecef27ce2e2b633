using Ates.ServiceDefaults.Hosting;

namespace Ates.Auth.Hosting;

/// <summary>The "Auth" configuration section. Defaults suit the embedded/development mode.</summary>
public sealed class AuthOptions : ServiceOptions
{
    /// <summary>Behind the gateway, <see cref="ServiceOptions.PathBase"/> ("/auth") becomes part of the issuer.</summary>
    public AuthOptions() => Database = "sqlite:data/auth.db";

    /// <summary>
    /// "development": OpenIddict's development certificates (kept in the user's certificate store, so tokens
    /// survive a restart); "ephemeral": in-memory keys, new on every start (one instance, tokens die with it);
    /// "certificates": the PFX files <see cref="SigningCertificate"/> and <see cref="EncryptionCertificate"/>, which
    /// every instance shares (production). Null picks development in the Development environment; elsewhere Auth
    /// refuses to start until it is set (<see cref="ProductionProfile"/>).
    /// </summary>
    public string? Keys { get; set; }

    /// <summary>PFX file whose key signs tokens (its public key is published at /.well-known/jwks).</summary>
    public string? SigningCertificate { get; set; }

    /// <summary>PFX file whose key encrypts what only Auth reads: codes, refresh tokens, identity cookies' tickets.</summary>
    public string? EncryptionCertificate { get; set; }

    /// <summary>Password of both PFX files; give it through the environment or a secret store, not appsettings.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Null: HTTPS is required outside Development (OpenIddict refuses plain HTTP otherwise).</summary>
    public bool? RequireHttps { get; set; }

    /// <summary>
    /// The resource-owner password grant, for the one first-party client <see cref="PasswordClientId"/> used by
    /// scripts and tests. OAuth 2.1 drops this grant, and the client has no secret: null switches it on in the
    /// Development environment only; elsewhere it must be set to true explicitly.
    /// </summary>
    public bool? PasswordGrant { get; set; }

    public string PasswordClientId { get; set; } = "ates-cli";

    /// <summary>The services' pages: public clients using the authorization code flow with PKCE.</summary>
    public List<ClientOptions> Clients { get; set; } = [];

    public DemoOptions Demo { get; set; } = new();

    /// <summary>How many failed sign-ins a client address may make before it must wait (<see cref="SignIn.SignInThrottle"/>).</summary>
    public SignInThrottleOptions SignInThrottle { get; set; } = new();

    /// <summary>Lifetime of access tokens; other services also check the user replica, so a short one is not vital.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(30);
}

public sealed class SignInThrottleOptions
{
    /// <summary>Failures allowed at once from one address; then one more per Window / Failures.</summary>
    public int Failures { get; set; } = 10;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class ClientOptions
{
    public string ClientId { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public List<string> RedirectUris { get; set; } = [];
    public List<string> PostLogoutRedirectUris { get; set; } = [];
}

public sealed class DemoOptions
{
    /// <summary>Null: seed the demo company in the Development environment only.</summary>
    public bool? Seed { get; set; }

    /// <summary>One password for every demo user (scripts, tests). Null: a random password each, printed once.</summary>
    public string? Password { get; set; }

    public int Workers { get; set; } = 10;
}
