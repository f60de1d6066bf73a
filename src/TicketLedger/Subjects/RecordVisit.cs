using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using TicketLedger.Hosting;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace TicketLedger.Subjects;

public sealed record RecordVisit(DateOnly? VisitedOn, string? Staff, string? Notes, DateTimeOffset? OccurredAt)
{
    public sealed class Validator : AbstractValidator<RecordVisit>
    {
        public Validator(BusinessTime time)
        {
            RuleFor(x => x.VisitedOn).BusinessDate(time);
            RuleFor(x => x.Staff).StaffName();
            RuleFor(x => x.Notes).MaximumLength(SubjectRules.MaxNotesLength);
            RuleFor(x => x.OccurredAt).BusinessTime(time);
        }
    }
}

public static class RecordVisitEndpoint
{
    [WolverinePost("/api/subjects/{id}/visits", OperationId = "RecordVisit", Summary = "Record a visit to a subject")]
    [Tags("subjects"), EmptyResponse, Authorize(Policy = Policies.Write)]
    public static SubjectVisited Post(
        RecordVisit command,
        [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404, MissingMessage = SubjectRules.UnknownSubject)] Subject subject,
        TimeProvider clock) =>
        Decide(command, subject, clock.GetUtcNow());

    public static SubjectVisited Decide(RecordVisit command, Subject subject, DateTimeOffset now) =>
        new(subject.Id, command.VisitedOn!.Value, command.Staff!.Trim(),
            string.IsNullOrWhiteSpace(command.Notes) ? null : command.Notes.Trim(),
            BusinessTime.Of(command.OccurredAt, now));
}
