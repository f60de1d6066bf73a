using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Marten;

namespace TicketLedger.Seeding;

/// <summary>Which seed steps have been applied, and the id each created: a second run skips them.</summary>
public sealed class SeedProgress
{
    public string Id { get; set; } = "";
    public Guid EntityId { get; set; }
}

/// <summary>
/// Replays the seed dataset through the public HTTP API of the running service (validation, authorization,
/// idempotency and all), never by writing events or projections directly. Every step is recorded when it succeeds
/// and carries an Idempotency-Key, so a run interrupted at any point can be run again and adds nothing twice.
/// </summary>
public sealed class SeedRunner(HttpClient api, IDocumentStore store, string office, TextWriter progress)
{
    private Dictionary<string, Guid> _done = [];

    public async Task<int> Run(SeedData data, CancellationToken cancellation)
    {
        await using (var session = store.QuerySession(office))
            _done = (await session.Query<SeedProgress>().ToListAsync(cancellation)).ToDictionary(p => p.Id, p => p.EntityId);
        var before = _done.Count;

        var subjects = new Dictionary<string, Guid>();
        foreach (var (subject, index) in data.Subjects.Select((s, i) => (s, i)))
        {
            subjects[subject.Key] = await SeedSubject(subject, cancellation);
            Report("subjects", index + 1, data.Subjects.Count);
        }
        foreach (var (ticket, index) in data.Tickets.Select((t, i) => (t, i)))
        {
            await SeedTicket(ticket, subjects, cancellation);
            Report("tickets", index + 1, data.Tickets.Count);
        }
        return _done.Count - before;
    }

    private async Task<Guid> SeedSubject(SeedSubject s, CancellationToken cancellation)
    {
        var id = await Step(s.Key, "/api/subjects", new JsonObject
        {
            ["kind"] = s.Kind, ["name"] = s.Name, ["creditCode"] = s.CreditCode, ["scale"] = s.Scale,
            ["keyProjectLevel"] = s.KeyProjectLevel, ["address"] = s.Address, ["contact"] = s.Contact?.DeepClone(),
            ["occurredAt"] = s.RegisteredAt,
        }, cancellation);
        if (s.GridStaff is not null)
            await Step($"{s.Key}/grid-staff", $"/api/subjects/{id}/grid-staff", new JsonObject { ["staff"] = s.GridStaff, ["occurredAt"] = s.RegisteredAt }, cancellation);
        await Steps(s.Key, id, "visits", s.Visits, "visitedOn", cancellation);
        await Steps(s.Key, id, "resumption", s.Resumption, "resumedOn", cancellation);
        await Steps(s.Key, id, "funds", s.Funds, "disbursedOn", cancellation);
        return id;
    }

    /// <summary>Dated records happened on their date; the office wrote them down that afternoon.</summary>
    private async Task Steps(string key, Guid id, string route, IReadOnlyList<JsonObject>? records, string dateField, CancellationToken cancellation)
    {
        foreach (var (record, index) in (records ?? []).Select((r, i) => (r, i)))
        {
            var body = (JsonObject)record.DeepClone();
            body["occurredAt"] ??= $"{body[dateField]}T17:00:00+08:00";
            await Step($"{key}/{route}/{index}", $"/api/subjects/{id}/{route}", body, cancellation);
        }
    }

    private async Task SeedTicket(SeedTicket t, Dictionary<string, Guid> subjects, CancellationToken cancellation)
    {
        var id = await Step(t.Key, "/api/tickets", new JsonObject
        {
            ["subjectId"] = subjects[t.Subject], ["category"] = t.Category, ["title"] = t.Title,
            ["description"] = t.Description, ["source"] = t.Source, ["occurredAt"] = t.RaisedAt,
        }, cancellation);
        foreach (var (step, index) in t.Steps.Select((s, i) => (s, i)))
        {
            var body = (JsonObject)step.DeepClone();
            var action = body["action"]!.GetValue<string>();
            body.Remove("action");
            body["occurredAt"] = body["at"]?.DeepClone();
            body.Remove("at");
            await Step($"{t.Key}/{index}", $"/api/tickets/{id}/{Route(action)}", body, cancellation);
        }
    }

    private static string Route(string action) => action switch
    {
        "bureau-reply" => "bureau-replies",
        "return-visit" => "return-visits",
        _ => action,
    };

    private async Task<Guid> Step(string key, string url, JsonObject body, CancellationToken cancellation)
    {
        if (_done.TryGetValue(key, out var done)) return done;

        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", "seed:" + key);
        using var response = await api.SendAsync(request, cancellation);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Seed step {key} (POST {url}) answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellation)}");

        var id = response.StatusCode == HttpStatusCode.Created
            ? (await response.Content.ReadFromJsonAsync<JsonObject>(cancellation))!["id"]!.GetValue<Guid>()
            : Guid.Empty;
        await using var session = store.LightweightSession(office);
        session.Store(new SeedProgress { Id = key, EntityId = id });
        await session.SaveChangesAsync(cancellation);
        _done[key] = id;
        return id;
    }

    private void Report(string what, int done, int total)
    {
        if (done == total || done % 20 == 0) progress.WriteLine($"  {what}: {done}/{total}");
    }
}
