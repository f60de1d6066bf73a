using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace TicketLedger.Subjects;

public sealed record DisburseFund(string? Batch, decimal? AmountYuan, DateOnly? DisbursedOn, DateTimeOffset? OccurredAt)
{
    public const int MaxBatchLength = 100;

    /// <summary>A hundred million yuan to one subject is beyond any special fund; a larger figure is a typing error.</summary>
    public const decimal MaxAmountYuan = 100_000_000m;

    public sealed class Validator : AbstractValidator<DisburseFund>
    {
        public Validator(BusinessTime time)
        {
            RuleFor(x => x.Batch).NotEmpty().MaximumLength(MaxBatchLength);
            RuleFor(x => x.AmountYuan).NotNull().GreaterThan(0).LessThanOrEqualTo(MaxAmountYuan)
                .PrecisionScale(11, 2, ignoreTrailingZeros: true).WithMessage("'Amount Yuan' has at most two decimals (fen).");
            RuleFor(x => x.DisbursedOn).BusinessDate(time);
            RuleFor(x => x.OccurredAt).BusinessTime(time);
        }
    }
}

public static class DisburseFundEndpoint
{
    /// <summary>A subject receives a batch once: a second disbursement of it is a double entry that would inflate the ledger.</summary>
    public static ProblemDetails Validate(DisburseFund command, Subject subject) =>
        subject.FundedBatches.Contains(command.Batch!.Trim())
            ? Problems.Conflict($"Batch '{command.Batch.Trim()}' was already disbursed to subject {subject.Id}.")
            : WolverineContinue.NoProblems;

    [WolverinePost("/api/subjects/{id}/funds", OperationId = "DisburseFund", Summary = "Record a special-fund disbursement to a subject")]
    [Tags("subjects"), EmptyResponse, Authorize(Policy = Policies.Write)]
    public static FundDisbursed Post(
        DisburseFund command,
        [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404, MissingMessage = SubjectRules.UnknownSubject)] Subject subject,
        TimeProvider clock) =>
        Decide(command, subject, clock.GetUtcNow());

    public static FundDisbursed Decide(DisburseFund command, Subject subject, DateTimeOffset now) =>
        new(subject.Id, command.Batch!.Trim(), command.AmountYuan!.Value, command.DisbursedOn!.Value, BusinessTime.Of(command.OccurredAt, now));
}
