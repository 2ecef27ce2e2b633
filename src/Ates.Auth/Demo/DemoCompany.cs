using System.Security.Cryptography;
using Ates.Auth.Data;
using Ates.Auth.Hosting;
using Ates.Auth.Users;
using Ates.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Ates.Auth.Demo;

/// <summary>
/// Seeds UberPopug Inc. into an empty database: an admin, a manager, an accountant and the workers, each created
/// through <see cref="UserCommands"/> so the other services learn of them by user.created like any user.
/// </summary>
public sealed class DemoCompany(AuthDb db, UserCommands commands, IHostEnvironment env, ILogger<DemoCompany> log)
{
    static readonly string[] WorkerNames = ["Kesha", "Gosha", "Rio", "Zhako", "Kakadu", "Ara", "Lori", "Nimfa", "Rosella", "Amazon",
        "Kea", "Kakariki", "Jaco", "Senegal", "Monk"];

    public async Task SeedAsync(DemoOptions options, TextWriter console, CancellationToken ct)
    {
        if (await db.Users.AnyAsync(ct)) return;

        var people = new List<(string Name, string Email, UserRole Role)>
        {
            ("Ada Admin", "admin@popug.inc", UserRole.Admin),
            ("Max Manager", "manager@popug.inc", UserRole.Manager),
            ("Alice Accountant", "accountant@popug.inc", UserRole.Accountant),
        };
        for (var i = 1; i <= options.Workers; i++)
            people.Add(($"{WorkerNames[(i - 1) % WorkerNames.Length]} Popugaev {i}", $"worker{i}@popug.inc", UserRole.Worker));

        var credentials = new List<string>();
        foreach (var (name, email, role) in people)
        {
            var password = options.Password ?? RandomPassword();
            var outcome = await commands.CreateAsync(name, email, role, password, ct);
            if (outcome.Refusal is { } refusal)
                throw new InvalidOperationException($"Demo user {email} refused: {refusal.Title} {string.Join("; ", refusal.Errors?.SelectMany(e => e.Value) ?? [])}");
            credentials.Add($"  {Roles.Name(role),-10}  {email,-24}  {(options.Password is null ? password : "(Auth:Demo:Password)")}");
        }

        // Printed once, on the run that created them; a random password is never stored in clear anywhere.
        if (env.IsDevelopment())
        {
            console.WriteLine("aTES demo company created. Sign in with (shown only this once):");
            foreach (var line in credentials) console.WriteLine(line);
        }
        else
        {
            log.LogWarning("Seeded the demo company ({Count} users). Passwords are not printed outside Development; set Auth:Demo:Password to choose one.", people.Count);
        }
    }

    /// <summary>Three short words' worth of entropy (~62 bits) that a person can type: "beak-XXXX-XXXX-XXXX".</summary>
    static string RandomPassword()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
        var chars = RandomNumberGenerator.GetItems<char>(alphabet, 12);
        return $"beak-{new string(chars, 0, 4)}-{new string(chars, 4, 4)}-{new string(chars, 8, 4)}";
    }
}
