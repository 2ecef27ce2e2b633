using System.Net;
using Ates.Messaging.Outbox;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ates.Auth.Tests;

/// <summary>What the other services rely on: plain JWTs they can check with the standard handler, and events on the broker.</summary>
public sealed class InteropTests(AuthApp app) : IClassFixture<AuthApp>
{
    [Fact]
    public async Task An_access_token_validates_with_the_standard_jwt_handler_and_the_published_keys()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = app.CreateClient();
        var issuer = (await AuthApp.ReadJsonAsync(await client.GetAsync("/.well-known/openid-configuration", ct))).GetProperty("issuer").GetString();
        var keys = new JsonWebKeySet(await client.GetStringAsync("/.well-known/jwks", ct));
        var token = await app.TokenAsync("manager@popug.inc");
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidateAudience = false, // no resource servers are registered yet, so tokens name no audience
        };

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, parameters);

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal((await app.UserIdAsync("manager@popug.inc")).ToString(), result.Claims["sub"]);
        Assert.Equal("manager", result.Claims["role"]);

        // The same token with one character of its payload changed is refused.
        var parts = token.Split('.');
        var tampered = $"{parts[0]}.{parts[1][..^2]}{(parts[1][^2] == 'A' ? 'B' : 'A')}{parts[1][^1]}.{parts[2]}";
        Assert.False((await new JsonWebTokenHandler().ValidateTokenAsync(tampered, parameters)).IsValid);
    }

    [Fact]
    public async Task A_refresh_token_from_before_a_deactivation_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var grant = await app.PasswordGrantAsync("worker8@popug.inc", AuthApp.Password);
        var refresh = (await AuthApp.ReadJsonAsync(grant)).GetProperty("refresh_token").GetString()!;
        var id = await app.UserIdAsync("worker8@popug.inc");
        using var deactivated = await app.Api(await app.TokenAsync("admin@popug.inc")).PostAsync($"/api/users/{id}/deactivate", null, ct);
        Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);

        using var refreshed = await app.CreateClient().PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = "ates-cli",
            ["refresh_token"] = refresh,
        }), ct);
        Assert.Equal(HttpStatusCode.BadRequest, refreshed.StatusCode);
        Assert.Equal("invalid_grant", (await AuthApp.ReadJsonAsync(refreshed)).GetProperty("error").GetString());
    }
}

public sealed class RabbitMqTransportTests
{
    [Fact]
    public async Task On_rabbitmq_every_user_event_is_confirmed_by_the_broker()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var rabbit = await RabbitMqServer.StartAsync(ct);
        // A consumer's queue, as Tasks or Accounting would bind it: the relay refuses to drop unroutable events.
        await using var connection = await new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(rabbit.AmqpUri) }.CreateConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        await channel.ExchangeDeclareAsync("authtest.auth", RabbitMQ.Client.ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);
        await channel.QueueDeclareAsync("authtest.probe", durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
        await channel.QueueBindAsync("authtest.probe", "authtest.auth", "user.*", cancellationToken: ct);
        await using var app = new AuthApp { Settings = [("Auth:Transport", $"rabbitmq:{rabbit.AmqpUri}"), ("Auth:RabbitNamespace", "authtest")] };

        using var created = await app.Api(await app.TokenAsync("admin@popug.inc")).PostAsync("/api/users",
            AuthApp.Json("""{"name":"Rabbit Popug","email":"rabbit@popug.inc","role":"worker","password":"long-enough-beak"}"""), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // 13 demo users and this one; a row is marked published only after the broker's confirm.
        await Eventually.UntilAsync(() => app.DbAsync(async db =>
            {
                var rows = await db.Set<OutboxMessage>().AsNoTracking().ToListAsync(ct);
                if (rows.Count(m => m.PublishedAt != null) == 14) return true;
                // Shown by the timeout if it never gets there.
                throw new InvalidOperationException($"{rows.Count(m => m.PublishedAt != null)} of {rows.Count} confirmed; last error: {rows.Select(m => m.LastError).LastOrDefault(e => e is not null)}");
            }),
            TimeSpan.FromSeconds(20), "all 14 user events should be confirmed by RabbitMQ", ct);
        Assert.Equal(14u, (await channel.QueueDeclarePassiveAsync("authtest.probe", ct)).MessageCount);
    }
}

public sealed class CertificateTests
{
    [Fact]
    public async Task With_configured_certificates_tokens_are_signed_by_the_signing_certificate()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory("ates-auth-certs-").FullName;
        try
        {
            using var signing = SelfSigned("CN=aTES signing", folder, "signing.pfx");
            using var encryption = SelfSigned("CN=aTES encryption", folder, "encryption.pfx");
            await using var app = new AuthApp
            {
                Settings =
                [
                    ("Auth:Keys", "certificates"),
                    ("Auth:SigningCertificate", Path.Combine(folder, "signing.pfx")),
                    ("Auth:EncryptionCertificate", Path.Combine(folder, "encryption.pfx")),
                    ("Auth:CertificatePassword", "pfx-pass"),
                ],
            };
            var token = await app.TokenAsync("worker1@popug.inc");
            var issuer = (await AuthApp.ReadJsonAsync(await app.CreateClient().GetAsync("/.well-known/openid-configuration", ct))).GetProperty("issuer").GetString();

            var withCertificate = new TokenValidationParameters
            {
                ValidIssuer = issuer,
                ValidateAudience = false,
                IssuerSigningKey = new X509SecurityKey(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(signing.RawData)),
            };
            Assert.True((await new JsonWebTokenHandler().ValidateTokenAsync(token, withCertificate)).IsValid);
            withCertificate.IssuerSigningKey = new X509SecurityKey(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(encryption.RawData));
            Assert.False((await new JsonWebTokenHandler().ValidateTokenAsync(token, withCertificate)).IsValid);

            // The data-protection keys are stored encrypted with the encryption certificate, and still read back:
            // the sign-in page's form and cookie work.
            var browser = await app.SignedInBrowserAsync("worker1@popug.inc");
            using var home = await browser.GetAsync("/", ct);
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
            var stored = await app.DbAsync(db => db.DataProtectionKeys.Select(k => k.Xml).SingleAsync(ct));
            Assert.Contains("EncryptedData", stored);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static System.Security.Cryptography.X509Certificates.X509Certificate2 SelfSigned(string subject, string folder, string file)
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(subject, rsa,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        File.WriteAllBytes(Path.Combine(folder, file), certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pfx-pass"));
        return certificate;
    }
}
