using Alba;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;

namespace TicketLedger.Tests.Hosting;

public sealed class starting_outside_development
{
    [Fact]
    public async Task without_any_api_key_the_service_refuses_to_start()
    {
        JasperFxEnvironment.AutoStartHost = true;
        var connectionString = TestDatabase.ConnectionStringFor("tl_production_start");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => AlbaHost.For<Program>(x =>
        {
            x.UseEnvironment("Production");
            x.UseSetting("ConnectionStrings:Marten", connectionString);
        }));
        Assert.Contains("No API key is configured", error.ToString());
    }

    [Fact]
    public async Task without_a_checkpoint_signing_key_the_service_refuses_to_start()
    {
        JasperFxEnvironment.AutoStartHost = true;
        var connectionString = TestDatabase.ConnectionStringFor("tl_production_start");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => AlbaHost.For<Program>(x =>
        {
            x.UseEnvironment("Production");
            x.UseSetting("ConnectionStrings:Marten", connectionString);
            x.UseSetting("Auth:ApiKeys:0:Name", "ops");
            x.UseSetting("Auth:ApiKeys:0:Role", "admin");
            x.UseSetting("Auth:ApiKeys:0:KeySha256", new string('0', 64));
        }));
        Assert.Contains("No key to sign the transparency log's checkpoints", error.ToString());
    }
}
