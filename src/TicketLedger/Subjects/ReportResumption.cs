using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using TicketLedger.Hosting;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace TicketLedger.Subjects;

/// <summary>A report states the subject's workforce as of now; a later report supersedes it.</summary>
public sealed record ReportResumption(DateOnly? ResumedOn, int? Headcount, int? WorkersReturned, int? CapacityPercent, DateTimeOffset? OccurredAt)
{
    /// <summary>Well above any single enterprise or site; a larger figure is a typing error.</summary>
    public const int MaxHeadcount = 1_000_000;

    public sealed class Validator : AbstractValidator<ReportResumption>
    {
        public Validator(BusinessTime time)
        {
            RuleFor(x => x.ResumedOn).BusinessDate(time);
            RuleFor(x => x.Headcount).NotNull().InclusiveBetween(1, MaxHeadcount);
            RuleFor(x => x.WorkersReturned).NotNull().GreaterThanOrEqualTo(0);
            RuleFor(x => x.WorkersReturned).LessThanOrEqualTo(x => x.Headcount)
                .WithMessage("'Workers Returned' may not exceed 'Headcount'.")
                .When(x => x.Headcount is not null);
            RuleFor(x => x.CapacityPercent).NotNull().InclusiveBetween(0, 100);
            RuleFor(x => x.OccurredAt).BusinessTime(time);
        }
    }
}

public static class ReportResumptionEndpoint
{
    [WolverinePost("/api/subjects/{id}/resumption", OperationId = "ReportResumption", Summary = "Report that a subject resumed work, with its workforce")]
    [Tags("subjects"), EmptyResponse, Authorize(Policy = Policies.Write)]
    public static ResumptionReported Post(
        ReportResumption command,
        [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404, MissingMessage = SubjectRules.UnknownSubject)] Subject subject,
        TimeProvider clock) =>
        Decide(command, subject, clock.GetUtcNow());

    public static ResumptionReported Decide(ReportResumption command, Subject subject, DateTimeOffset now) =>
        new(subject.Id, command.ResumedOn!.Value, command.Headcount!.Value, command.WorkersReturned!.Value, command.CapacityPercent!.Value,
            BusinessTime.Of(command.OccurredAt, now));
}
