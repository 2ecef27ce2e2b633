using Microsoft.Extensions.Hosting;

namespace Ates.ServiceDefaults.Hosting;

/// <summary>
/// Outside Development a service refuses to start on a setting that is safe only on a developer's machine, unless that
/// setting was given explicitly: it names the setting and what to do instead. A demo default must never reach
/// production silently.
/// </summary>
public static class ProductionProfile
{
    /// <summary>Throws <see cref="InsecureSettingException"/> when <paramref name="unsafeSetting"/> holds outside Development.</summary>
    public static void Refuse(IHostEnvironment environment, bool unsafeSetting, string setting, string why, string instead)
    {
        if (unsafeSetting && !environment.IsDevelopment())
            throw new InsecureSettingException($"{setting}: {why} In the {environment.EnvironmentName} environment {instead}");
    }

    /// <summary>
    /// The signing keys of Auth are fetched from its metadata: over plain HTTP anyone on the path could hand the
    /// service keys of their own. Plain HTTP needs <c>SignIn:RequireHttpsMetadata</c> false, set explicitly.
    /// </summary>
    public static void CheckSignIn(IHostEnvironment environment, SignedInServiceOptions options, string section) =>
        Refuse(environment, options.SignIn.RequireHttpsMetadata && options.SignIn.Authority.StartsWith("http://", StringComparison.OrdinalIgnoreCase),
            $"{section}:SignIn:Authority", $"'{options.SignIn.Authority}' is plain HTTP, so Auth's signing keys would come unprotected.",
            $"give an https:// address, or set {section}:SignIn:RequireHttpsMetadata to false to accept plain HTTP explicitly.");
}

/// <summary>A setting fit for Development only, met in another environment without being switched on explicitly.</summary>
public sealed class InsecureSettingException(string message) : InvalidOperationException(message);
