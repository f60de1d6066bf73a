using TicketLedger.Transparency;

namespace TicketLedger.Audit;

/// <summary>The witnesses of Audit:Witnesses, checked at start-up.</summary>
public sealed class WitnessKeys(IReadOnlyList<NoteVerifier> keys)
{
    public IReadOnlyList<NoteVerifier> Keys { get; } = keys;

    public NoteVerifier? Named(string? name) => Keys.FirstOrDefault(k => k.Name == name);
}
