using JasperFx;
using TicketLedger.Audit;
using TicketLedger.Bureaus;
using TicketLedger.Hosting;
using TicketLedger.Ledger;
using TicketLedger.Reference;
using TicketLedger.Seeding;
using TicketLedger.Subjects;
using TicketLedger.Tickets;
using Wolverine.Http;
using Wolverine.Http.Marten;

var command = CommandLine.Parse(args);
var builder = WebApplication.CreateBuilder(command.HostArgs);

var office = Office.AddOffice(builder);
builder.AddProblems();
builder.AddValidation();
builder.AddApiKeys();
builder.AddApiDocs();
builder.AddHealth();
builder.AddJson();
ReferenceData.AddReferenceData(builder);
builder.AddIdempotency();
builder.AddBureaus();
builder.AddEventStore(store =>
{
    store.AddSubjects();
    store.AddTickets();
    store.AddLedger(office);
});
builder.AddAuditChain();
builder.AddTransparencyLog();

var app = builder.Build();
app.RequireKeysOutsideDevelopment();
app.RequireLogKeys();
app.UseCorrelationIds();
app.UseProblems();
app.UseAuthentication();
app.UseAuthorization();
app.UseIdempotency();
app.MapHealth();
app.MapApiDocs();
app.MapWolverineEndpoints(opts =>
{
    opts.MapMartenConcurrencyFailuresToConflict();
    opts.ApplyCorrelationIdHeaderToAllEndpoints = true;
    // A malformed query value ("?page=abc") is a 400, not silently the default.
    opts.RejectUnparseableQueryValues = true;
    opts.AddPolicy<FluentValidationHttpPolicy>();
});

return await command.Run(app, new Dictionary<string, AppCommand>
{
    ["ledger"] = LedgerCommand.Run,
    ["seed"] = SeedCommand.Run,
}, SeedCommand.SeedIfEmpty);

public partial class Program;
