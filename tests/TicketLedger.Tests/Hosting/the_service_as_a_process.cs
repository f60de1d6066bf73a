using System.Net;
using System.Text.Json;

namespace TicketLedger.Tests.Hosting;

/// <summary>The built service started from another working directory, answering over a real socket (Kestrel).</summary>
public sealed class the_service_as_a_process(RunningService service) : IClassFixture<RunningService>
{
    [Fact]
    public async Task started_from_another_directory_it_reads_the_appsettings_beside_its_executable()
    {
        using var client = service.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/reference");
        request.Headers.Add("X-Api-Key", RunningService.Key);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reference = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(reference.RootElement.GetProperty("categories").EnumerateArray(), c => c.GetProperty("code").GetString() == "supplies");
    }

    [Fact]
    public async Task kestrel_names_no_server()
    {
        using var client = service.Client();
        using var response = await client.GetAsync("/health/live");
        Assert.False(response.Headers.Contains("Server"));
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    /// <summary>
    /// Kestrel refuses a NUL in the path while it parses the request line, before any middleware runs: its 400 has no
    /// body and closes the connection, and no application code can turn it into problem+json (docs/http-errors.md).
    /// </summary>
    [Fact]
    public async Task a_nul_in_the_path_is_refused_by_kestrel_itself()
    {
        using var client = service.Client();
        using var response = await client.GetAsync("/api/tickets/abc%00");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.False(response.Headers.Contains("Server"));
    }
}
