// Ates.Accounting: prices, the double-entry ledger, billing days and their close, payouts and emails.
// Everything is wired in AccountingSetup.
using Ates.Accounting;
using Ates.ServiceDefaults.Hosting;

return await ServiceProgram.RunAsync(args, builder => builder.AddAccounting(), app => app.MapAccounting());
