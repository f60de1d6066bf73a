using JasperFx;
using TicketLedger.Audit;
using TicketLedger.Bureaus;
using TicketLedger.Dashboard;
using TicketLedger.Hosting;
using TicketLedger.Ledger;
using TicketLedger.Reference;
using TicketLedger.Seeding;
using TicketLedger.Subjects;
using TicketLedger.Tickets;
using Wolverine.Http;
using Wolverine.Http.Marten;

var command = CommandLine.Parse(args);
var builder = WebApplication.CreateBuilder(command.BuilderOptions());

builder.AddOffice();
builder.AddResponseHeaders();
builder.AddProblems();
builder.AddErrorLogging();
builder.AddBusinessTime();
builder.AddValidation();
builder.AddApiKeys();
builder.AddApiDocs();
builder.AddHealth();
builder.AddJson();
builder.AddReferenceData();
builder.AddIdempotency();
builder.AddBureaus();
builder.Services.AddTicketNumbering();
builder.AddEventStore(store =>
{
    store.AddSubjects();
    store.AddTickets();
});
builder.AddLedger();
builder.AddAuditChain();
builder.AddTransparencyLog();
builder.AddSeeding();

var app = builder.Build();
app.RequireKeysOutsideDevelopment();
app.RequireLogKeys();
app.UseResponseHeaders();
app.UseCorrelationIds();
app.UseProblems();
app.RejectNulCharacters();
app.UseAuthentication();
app.UseAuthorization();
app.UseOffices();
app.UseCommandRetries();
app.UseIdempotency();
app.MapHealth();
app.MapApiDocs();
app.MapDashboard();
app.MapWolverineEndpoints(opts =>
{
    opts.MapMartenConcurrencyFailuresToConflict();
    opts.ApplyCorrelationIdHeaderToAllEndpoints = true;
    // A malformed query value ("?page=abc") is a 400, not silently the default.
    opts.RejectUnparseableQueryValues = true;
    opts.AddPolicy<FluentValidationHttpPolicy>();
    // The office was decided by UseOffices; asserting it here means no session ever opens for a default tenant.
    opts.TenantId.DetectWith(new OfficeTenantDetection());
    opts.TenantId.AssertExists();
});

return await command.Run(app, Seeder.SeedIfEmpty);

public partial class Program;
