namespace TicketLedger.Hosting;

public static class Roles
{
    public const string Staff = "staff";
    public const string Auditor = "auditor";
    public const string Bureau = "bureau";
    public const string Admin = "admin";
    public static readonly string[] All = [Staff, Auditor, Bureau, Admin];
}

/// <summary>Authorization policies named after what a caller may do (README.md, "Roles and keys").</summary>
public static class Policies
{
    public const string Write = "write";
    public const string Read = "read";
    /// <summary>Tickets are read by every role; a bureau key sees only the tickets escalated to its bureau (Tickets/TicketAccess).</summary>
    public const string ReadTickets = "read-tickets";
    public const string BureauWrite = "bureau-write";
    public const string Refer = "refer";
    public const string Audit = "audit";
    public const string Admin = "admin";
}
