// Ates.Accounting: prices, the double-entry ledger, billing days and their close, payouts and emails.
// Everything is wired in AccountingSetup.
using Ates.Accounting;
using Ates.ServiceDefaults.Hosting;
using Ates.ServiceDefaults.Schema;

var builder = WebApplication.CreateBuilder(args);
builder.AddAccounting();
var app = builder.Build();
if (MigrateCommand.IsRequested(args)) return await MigrateCommand.RunAsync(app.Services, Console.Out);
if (DeclareTopologyCommand.IsRequested(args)) return await DeclareTopologyCommand.RunAsync(app.Services, Console.Out);
app.MapAccounting();
app.Run();
return 0;
