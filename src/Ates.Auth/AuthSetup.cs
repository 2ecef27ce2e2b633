using System.Security.Cryptography.X509Certificates;
using Ates.Auth.Connect;
using Ates.Auth.Data;
using Ates.Auth.Demo;
using Ates.Auth.Hosting;
using Ates.Auth.SignIn;
using Ates.Auth.Users;
using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.SignIn;
using Ates.ServiceDefaults.Users;
using Ates.Messaging.Transports.Embedded;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using Ates.ServiceDefaults.Schema;

namespace Ates.Auth;

public static class AuthSetup
{
    /// <summary>
    /// Auth's services, configured from the "Auth" section (<see cref="AuthOptions"/>). In the one-process mode the
    /// host passes the <paramref name="bus"/> every service shares; alone, Auth uses its own or RabbitMQ.
    /// </summary>
    public static WebApplicationBuilder AddAuth(this WebApplicationBuilder builder, EmbeddedBus? bus = null)
    {
        // Auth publishes only: it has no partitions of its own, and no users replica (it keeps the users).
        var options = builder.AddAtesService<AuthOptions, AuthDb>("Auth", bus, configure: o => o.PasswordGrant ??= builder.Environment.IsDevelopment());
        ProductionProfile.Refuse(builder.Environment, string.IsNullOrEmpty(options.Keys), "Auth:Keys",
            "it is not set, and the development keys sit in the user's certificate store.",
            "set it to 'certificates' (with Auth:SigningCertificate and Auth:EncryptionCertificate), or to 'ephemeral' explicitly (tokens die with every restart, and instances refuse each other's).");
        var dev = builder.Environment.IsDevelopment();
        var services = builder.Services;
        services.AddServicePreparation<AuthInitializer>();

        services.AddIdentityCore<AuthUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.User.AllowedUserNameCharacters = ""; // the user name is the email; the email validator judges it
                // Length over composition rules (NIST SP 800-63B): 8+ characters, not one repeated character.
                o.Password.RequiredLength = 8;
                o.Password.RequiredUniqueChars = 3;
                o.Password.RequireDigit = o.Password.RequireLowercase = o.Password.RequireUppercase = o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                o.ClaimsIdentity.UserIdClaimType = Claims.Subject;
                o.ClaimsIdentity.UserNameClaimType = Claims.Name;
                o.ClaimsIdentity.RoleClaimType = Claims.Role;
                o.ClaimsIdentity.EmailClaimType = Claims.Email;
            })
            .AddSignInManager()
            .AddClaimsPrincipalFactory<CookieClaims>()
            .AddEntityFrameworkStores<AuthDb>();
        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.ConfigureApplicationCookie(c =>
        {
            c.Cookie.Name = "ates.auth";
            c.LoginPath = "/signin";
            c.LogoutPath = "/signout";
            c.AccessDeniedPath = "/forbidden";
            c.ExpireTimeSpan = TimeSpan.FromHours(8);
        });
        // A deactivation renews the security stamp; a signed-in browser notices within a minute.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<AuthDb>().ReplaceDefaultEntities<Guid>())
            .AddServer(o =>
            {
                o.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetUserInfoEndpointUris("connect/userinfo")
                    .SetEndSessionEndpointUris("connect/endsession");
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange().AllowRefreshTokenFlow();
                if (options.PasswordGrant == true) o.AllowPasswordFlow();
                o.RegisterScopes(UserClaims.Scopes);
                o.SetAccessTokenLifetime(options.AccessTokenLifetime);
                switch (string.IsNullOrEmpty(options.Keys) ? "development" : options.Keys)
                {
                    case "development": o.AddDevelopmentEncryptionCertificate().AddDevelopmentSigningCertificate(); break;
                    case "ephemeral": o.AddEphemeralEncryptionKey().AddEphemeralSigningKey(); break;
                    case "certificates":
                        o.AddSigningCertificate(LoadCertificate(options.SigningCertificate, "SigningCertificate", options.CertificatePassword))
                            .AddEncryptionCertificate(LoadCertificate(options.EncryptionCertificate, "EncryptionCertificate", options.CertificatePassword));
                        break;
                    default: throw new InvalidOperationException($"Auth:Keys must be development, ephemeral or certificates, not '{options.Keys}'.");
                }
                // Access tokens are signed JWTs, not encrypted ones, so Tasks, Accounting and Analytics validate them with
                // the standard JWT bearer handler and Auth's published signing keys, without sharing a decryption key.
                // They hold nothing secret: id, name, email, role.
                o.DisableAccessTokenEncryption();
                var aspNet = o.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough();
                if (!(options.RequireHttps ?? !dev)) aspNet.DisableTransportSecurityRequirement();
            })
            .AddValidation(o =>
            {
                // Auth's own API takes the access tokens Auth issues for it.
                o.UseLocalServer();
                o.AddAudiences(Audiences.Auth);
                o.UseAspNetCore();
            });

        // The one admin policy, for the API's bearer tokens and, on the admin pages, for Auth's cookie.
        services.AddAuthorizationBuilder()
            .AddAdminPolicy(scheme: OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
            .AddAdminPolicy(AuthPolicies.AdminPage, IdentityConstants.ApplicationScheme);
        services.AddScoped<IAuthorizationHandler, CurrentRoleHandler>();

        // In the database, so a cookie or form issued by one Auth instance is read by any other (and survives restarts).
        var dataProtection = services.AddDataProtection().SetApplicationName("ates-auth").PersistKeysToDbContext<AuthDb>();
        // With production certificates the stored keys are encrypted too; elsewhere they sit in the clear (logged as a warning).
        if (options.Keys == "certificates")
            dataProtection.ProtectKeysWithCertificate(LoadCertificate(options.EncryptionCertificate, "EncryptionCertificate", options.CertificatePassword));
        services.AddSingleton<SignInThrottle>();
        services.AddScoped<PasswordCheck>();
        services.AddScoped<UserCommands>();
        services.AddScoped<DemoCompany>();
        return builder;
    }

    public static WebApplication MapAuth(this WebApplication app)
    {
        app.UseServicePipeline(app.Services.GetRequiredService<AuthOptions>());
        app.MapConnect();
        app.MapSignIn();
        app.MapUsers();
        app.MapUserPages();
        app.MapServiceOps<AuthDb>();
        return app;
    }

    static X509Certificate2 LoadCertificate(string? path, string key, string? password) =>
        X509CertificateLoader.LoadPkcs12FromFile(
            path ?? throw new InvalidOperationException($"Auth:Keys is 'certificates' but Auth:{key} (a PFX file) is not set."),
            password, X509KeyStorageFlags.EphemeralKeySet);
}
