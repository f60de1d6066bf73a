using TicketLedger.Hosting;
using Wolverine;

namespace TicketLedger.Bureaus;

/// <summary>
/// Which office a message from office.inbox is for (docs/messages.md): the one it names, or the only one. One inbox
/// serves every office of a district, so there a message that names none cannot be placed and is refused; version 1 of
/// a message has no office field at all, so a district refuses it whatever it carries.
/// </summary>
public static class InboxOffice
{
    public static Office For(string? named, Offices offices)
    {
        if (!string.IsNullOrWhiteSpace(named))
            return offices.Find(named.Trim()) ?? throw new BureauMessageRejected(
                $"office '{named}' is not an office of this deployment ({Codes(offices)}).");
        return offices.Sole ?? throw new BureauMessageRejected(
            $"office is required: this deployment serves several offices ({Codes(offices)}).");
    }

    /// <summary>The office of a message of the version before offices: the only one, which it was always for.</summary>
    public static Office ForVersion1(string type, string successor, Offices offices) =>
        offices.Sole ?? throw new BureauMessageRejected(
            $"{type} cannot name an office, and this deployment serves several ({Codes(offices)}): send {successor} with its office.");

    /// <summary>Runs the message's effect inline in its office: its Marten tenant, its clock, its validators.</summary>
    public static async Task InvokeInAsync<T>(this IMessageBus bus, Office office, T message) where T : notnull
    {
        using var _ = CurrentOffice.Enter(office);
        await bus.InvokeForTenantAsync(office.Code, message);
    }

    private static string Codes(Offices offices) => string.Join(", ", offices.All.Select(o => o.Code));
}
