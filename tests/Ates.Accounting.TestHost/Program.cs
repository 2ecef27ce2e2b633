// Runs the real Accounting service and feeds it a script of events through its consumer, as a transport would
// (at least once: a restart feeds the whole script again). The crash test SIGKILLs it mid-close. With --transport it
// consumes from RabbitMQ instead, as one instance among several, and the script gives only the prices.
//   Ates.Accounting.TestHost --db sqlite:<file>|postgres:<cs> --mail <folder> --script <file> --now <iso time> [--hold-close]
//       [--transport rabbitmq:<uri> --namespace <ns>] [--record <file>]
// Prints "CLOSING <day>" when --hold-close stops a day close after its writes and before its commit,
// "DELIVERED" once the whole script has been handed to the consumer, "CONSUMING" once it consumes from the broker.
// --record writes each committed task event down (HandlingRecord).
using Ates.Accounting;
using Ates.Accounting.Data;
using Ates.Accounting.Pricing;
using Ates.Accounting.TestHost;
using Ates.Messaging.Inbox;
using Ates.Messaging.Transports;
using Microsoft.Extensions.Time.Testing;

var arguments = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(x => x.a[2..], x => x.i + 1 < args.Length && !args[x.i + 1].StartsWith("--", StringComparison.Ordinal) ? args[x.i + 1] : "");
var (prices, deliveries) = EventScript.Load(arguments["script"]);

var builder = WebApplication.CreateBuilder();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders();
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Accounting:Database"] = arguments["db"],
    // A test's fresh database, PostgreSQL too, is migrated by the instance that starts on it.
    ["Accounting:MigrateOnStart"] = "true",
    ["Accounting:Mail:PickupFolder"] = arguments["mail"],
    ["Accounting:Mail:PollInterval"] = "00:00:00.100",
    ["Accounting:SignIn:Authority"] = "http://localhost/",
    ["Accounting:SignIn:ClientId"] = "accounting",
    ["Accounting:SignIn:RequireHttpsMetadata"] = "false",
    ["Accounting:Transport"] = arguments.GetValueOrDefault("transport") ?? "embedded",
    ["Accounting:RabbitNamespace"] = arguments.GetValueOrDefault("namespace") ?? "ates",
});
builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.Parse(arguments["now"], System.Globalization.CultureInfo.InvariantCulture)));
builder.Services.AddSingleton<IPriceSource>(prices);
if (arguments.ContainsKey("hold-close"))
    builder.Services.ConfigureDbContext<AccountingDb>(o => o.AddInterceptors(new HoldCloseInterceptor()));
builder.AddAccounting();
if (arguments.TryGetValue("record", out var record)) builder.Services.RecordHandlingTo(record);
var app = builder.Build();
app.MapAccounting();
await app.StartAsync();

if (arguments.ContainsKey("transport"))
{
    Console.WriteLine("CONSUMING");
    await Task.Delay(Timeout.Infinite);
}

var consumer = app.Services.GetRequiredService<EventConsumer<AccountingDb>>();
foreach (var body in deliveries)
{
    var outcome = await consumer.ConsumeAsync(body, 1, CancellationToken.None);
    if (outcome is ConsumeOutcome.DeadLettered or ConsumeOutcome.RetryLater) Console.WriteLine($"FAILED {outcome}");
}
Console.WriteLine("DELIVERED");
await Task.Delay(Timeout.Infinite);
