using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;

namespace TicketLedger.Tickets;

/// <summary>A bureau key sees the tickets escalated to its bureau and nothing else; every other role sees them all.</summary>
public static class TicketAccess
{
    /// <summary>The bureau a caller is confined to, or null when it is not confined.</summary>
    public static string? ConfinedToBureau(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Bureau) ? user.FindFirstValue(ApiKeyAuthenticationHandler.BureauClaim) ?? "" : null;

    public static bool MaySee(ClaimsPrincipal user, string? ticketBureau) =>
        ConfinedToBureau(user) is not { } bureau || bureau == ticketBureau;

    /// <summary>The same answer for "no such ticket" and "not yours", so a bureau cannot probe for ids.</summary>
    public static ProblemDetails NotFound(Guid id) => Problems.NotFound($"There is no ticket {id}.");
}
