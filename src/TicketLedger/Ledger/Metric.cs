namespace TicketLedger.Ledger;

/// <summary>
/// The ledger is a sum of additive counters ("metrics"), each entity (a ticket, a subject) contributing to them
/// from a business date on. Keeping every figure additive is what makes the ledger as of any date a plain sum.
/// </summary>
public static class Metric
{
    public const string Raised = "tickets.raised";
    public const string Resolved = "tickets.resolved";
    public const string Pending = "tickets.pending";
    public const string Overdue = "tickets.overdue";
    public const string RespondedOnTime = "tickets.respondedOnTime";
    public const string ReturnVisits = "tickets.returnVisits";
    public const string Satisfied = "tickets.satisfied";
    public const string CategoryPrefix = "tickets.category.";
    public const string DepartmentPrefix = "tickets.department.";
    public const string EnterprisesVisited = "visits.enterprises";
    public const string SitesVisited = "visits.sites";
    public const string AboveScaleTotal = "resumption.aboveScaleTotal";
    public const string AboveScaleResumed = "resumption.aboveScaleResumed";
    public const string BelowScaleResumed = "resumption.belowScaleResumed";
    public const string KeyProjectsResumed = "resumption.keyProjectsResumed";
    public const string SubjectsResumed = "resumption.subjectsResumed";
    public const string WorkersReturned = "resumption.workersReturned";
    public const string Headcount = "resumption.headcount";
    public const string FundsYuan = "funds.yuan";
    public const string FundsBatchPrefix = "funds.batch.";
}
