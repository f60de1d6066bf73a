using JasperFx;
using TicketLedger.Audit;
using TicketLedger.Hosting;
using Wolverine.Http;
using Wolverine.Http.Marten;

var command = CommandLine.Parse(args);
var builder = WebApplication.CreateBuilder(command.HostArgs);

Office.AddOffice(builder);
builder.AddProblems();
builder.AddValidation();
builder.AddApiKeys();
builder.AddApiDocs();
builder.AddHealth();
builder.AddJson();
builder.AddEventStore(store =>
{
});
builder.AddAuditChain();

var app = builder.Build();
app.RequireKeysOutsideDevelopment();
app.UseCorrelationIds();
app.UseProblems();
app.UseAuthentication();
app.UseAuthorization();
app.MapHealth();
app.MapApiDocs();
app.MapWolverineEndpoints(opts =>
{
    opts.MapMartenConcurrencyFailuresToConflict();
    opts.ApplyCorrelationIdHeaderToAllEndpoints = true;
    opts.AddPolicy<FluentValidationHttpPolicy>();
});

return await command.Run(app);

public partial class Program;
