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
}
