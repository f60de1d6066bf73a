using System.Diagnostics;
using Alba;
using TicketLedger.Tests.Ledger;
using TicketLedger.Tests.Tickets;

namespace TicketLedger.Tests.Audit;

/// <summary>ticketledger-verify run as a process against files saved from the API, as an auditor runs it.</summary>
public static class Verifier
{
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ticketledger-verify.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    /// <summary>Saves what an auditor downloads into a folder of its own.</summary>
    public static async Task<string> SaveAsync(this IAlbaHost host, string folder, string name, string url, int status = 200)
    {
        var result = await host.Scenario(x =>
        {
            x.Get.Url(url);
            x.WithKey(Keys.Auditor);
            x.StatusCodeShouldBe(status);
        });
        var path = Path.Combine(folder, name);
        await File.WriteAllTextAsync(path, result.ReadAsText());
        return path;
    }

    public static string NewFolder() => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ticketledger-verify-" + Guid.NewGuid().ToString("N"))).FullName;
}

[Collection(SeededCollection.Name)]
public sealed class verifying_the_seeded_log_offline(SeededFixture fixture)
{
    private IAlbaHost Host => fixture.Host;

    [Fact]
    public async Task the_export_rebuilds_the_signed_root_and_the_seeded_ticket_figures()
    {
        var folder = Verifier.NewFolder();
        var key = await Host.SaveAsync(folder, "public-key.json", "/api/audit/public-key");
        var checkpoint = await Host.SaveAsync(folder, "checkpoint.txt", "/api/audit/checkpoint");
        var export = await Host.SaveAsync(folder, "export.jsonl", "/api/audit/export");

        var (exit, output) = await Verifier.RunAsync("export", "--key", key, checkpoint, export);

        Assert.True(exit == 0, output);
        Assert.Contains("ok     the tree rebuilt from the export has the checkpoint's root", output);
        Assert.Contains("tickets raised 84, resolved 78, pending 6", output);
    }

    [Fact]
    public async Task a_seeded_tickets_evidence_verifies_and_a_doctored_one_does_not()
    {
        var folder = Verifier.NewFolder();
        var key = await Host.SaveAsync(folder, "public-key.json", "/api/audit/public-key");
        var ticket = (await Host.Scenario(x => { x.Get.Url("/api/tickets?status=resolved&pageSize=1"); x.WithKey(Keys.Auditor); }))
            .Json().GetProperty("items")[0].GetProperty("id").GetGuid();
        var evidence = await Host.SaveAsync(folder, "evidence.json", $"/api/tickets/{ticket}/evidence");

        var (exit, output) = await Verifier.RunAsync("evidence", "--key", key, "--ticket", ticket.ToString(), evidence);
        Assert.True(exit == 0, output);
        Assert.Contains("ticket_resolved", output);
        Assert.DoesNotContain("FAILED", output);

        // Another key, or a bundle whose path was changed, proves nothing.
        var impostor = new TicketLedger.Transparency.NoteSigner("ticketledger/yinhe", TicketLedger.Transparency.NoteSigner.NewPrivateKey());
        var (otherKey, _) = await Verifier.RunAsync("evidence", "--key", impostor.Verifier.VerifierKey, evidence);
        Assert.Equal(1, otherKey);
        var text = await File.ReadAllTextAsync(evidence);
        var doctored = Path.Combine(folder, "doctored.json");
        var firstHash = System.Text.RegularExpressions.Regex.Match(text, "\"path\":\\[\"([0-9a-f])").Groups[1];
        await File.WriteAllTextAsync(doctored, text[..firstHash.Index] + (firstHash.Value == "0" ? "1" : "0") + text[(firstHash.Index + 1)..]);
        var (failed, report) = await Verifier.RunAsync("evidence", "--key", key, doctored);
        Assert.Equal(1, failed);
        Assert.Contains("FAILED", report);
    }
}

public sealed class verifying_consistency_offline(LogFixture fixture) : LogTest(fixture)
{
    [Fact]
    public async Task a_grown_log_is_proven_consistent_with_a_saved_checkpoint_and_a_forged_one_is_not()
    {
        var folder = Verifier.NewFolder();
        var key = await Host.SaveAsync(folder, "public-key.json", "/api/audit/public-key");
        await Host.GivenTicket();
        var saved = await Host.SaveAsync(folder, "saved.txt", "/api/audit/checkpoint");
        var (_, old) = await CheckpointAsync();
        await Host.GivenTicket();
        var current = await Host.SaveAsync(folder, "current.txt", "/api/audit/checkpoint");
        var (_, now) = await CheckpointAsync();
        var proof = await Host.SaveAsync(folder, "proof.json", $"/api/audit/proof/consistency?from={old.Size}&to={now.Size}");

        var (exit, output) = await Verifier.RunAsync("consistency", "--key", key, saved, current, proof);
        Assert.True(exit == 0, output);
        Assert.Contains($"ok     the log of {now.Size} leaves extends the saved one of {old.Size} without changing it", output);

        var (checkpointExit, _) = await Verifier.RunAsync("checkpoint", "--key", key, current);
        Assert.Equal(0, checkpointExit);

        // A checkpoint with another root in the saved one's place: the signature no longer holds.
        var forged = Path.Combine(folder, "forged.txt");
        var lines = (await File.ReadAllTextAsync(saved)).Split('\n');
        lines[2] = Convert.ToBase64String(new byte[32]);
        await File.WriteAllTextAsync(forged, string.Join('\n', lines));
        var (forgedExit, forgedOutput) = await Verifier.RunAsync("consistency", "--key", key, forged, current, proof);
        Assert.Equal(1, forgedExit);
        Assert.Contains("FAILED", forgedOutput);
    }
}
