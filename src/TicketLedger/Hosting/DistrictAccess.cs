using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace TicketLedger.Hosting;

/// <summary>
/// The district routes (docs/ledger.md, "The district") read across every office a key may use, and are only for a key
/// that may use two or more: a key of one office reads its office's own routes, so there is no district of one.
/// </summary>
public static class DistrictAccess
{
    /// <summary>The offices a district route reads for the caller, in the order they are configured.</summary>
    public static IReadOnlyList<Office> OfficesOf(ClaimsPrincipal user, Offices offices) => CurrentOffice.AllowedFor(user, offices);

    /// <summary>For the Validate methods of the district routes: a 403 for a key of fewer than two offices.</summary>
    public static ProblemDetails Problem(ClaimsPrincipal user, Offices offices)
    {
        var allowed = OfficesOf(user, offices);
        if (allowed.Count >= 2) return WolverineContinue.NoProblems;
        var which = allowed.Count == 0 ? "no office" : $"only {allowed[0].Code}";
        return Problems.Create(StatusCodes.Status403Forbidden, "Forbidden",
            $"The district routes read across offices and are for keys that may use two or more; this key may use {which}.");
    }
}
