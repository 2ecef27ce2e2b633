// Ates.Accounting: prices, the double-entry ledger, billing days and their close, payouts and emails.
// Everything is wired in AccountingSetup.
using Ates.Accounting;

var builder = WebApplication.CreateBuilder(args);
builder.AddAccounting();
var app = builder.Build();
app.MapAccounting();
app.Run();
