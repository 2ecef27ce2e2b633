// The one-process aTES: Auth, Tasks (and the other services) on one embedded bus, each with its own SQLite file under
// ./data/, behind one gateway on http://localhost:5000. Ctrl+C stops everything cleanly.
using Ates.Host;

await using var system = await AtesSystem.StartAsync(args);
await system.WaitForShutdownAsync();
