using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using TicketLedger.Hosting;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace TicketLedger.Subjects;

/// <summary>定人定企: one member of staff serves the subject; a later assignment replaces the earlier one.</summary>
public sealed record AssignGridStaff(string? Staff, DateTimeOffset? OccurredAt)
{
    public sealed class Validator : AbstractValidator<AssignGridStaff>
    {
        public Validator(BusinessTime time)
        {
            RuleFor(x => x.Staff).StaffName();
            RuleFor(x => x.OccurredAt).BusinessTime(time);
        }
    }
}

public static class AssignGridStaffEndpoint
{
    [WolverinePost("/api/subjects/{id}/grid-staff", OperationId = "AssignGridStaff", Summary = "Assign the grid staff serving a subject")]
    [Tags("subjects"), EmptyResponse, Authorize(Policy = Policies.Write)]
    public static GridStaffAssigned Post(
        AssignGridStaff command,
        [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404, MissingMessage = SubjectRules.UnknownSubject)] Subject subject,
        TimeProvider clock) =>
        Decide(command, subject, clock.GetUtcNow());

    public static GridStaffAssigned Decide(AssignGridStaff command, Subject subject, DateTimeOffset now) =>
        new(subject.Id, command.Staff!.Trim(), BusinessTime.Of(command.OccurredAt, now));
}
