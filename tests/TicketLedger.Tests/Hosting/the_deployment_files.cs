using System.Text.RegularExpressions;
using TicketLedger.Hosting;

namespace TicketLedger.Tests.Hosting;

public sealed class the_deployment_files
{
    private static string RepositoryFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TicketLedger.sln"))) return Path.Combine(dir.FullName, name);
        throw new FileNotFoundException("TicketLedger.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The environment block of the ticketledger service in docker-compose.yml, as `KEY: value` lines.</summary>
    private static List<string> ComposeServiceSettings()
    {
        var lines = File.ReadAllLines(RepositoryFile("docker-compose.yml"));
        var inService = false;
        var inEnvironment = false;
        var keys = new List<string>();
        foreach (var line in lines)
        {
            if (Regex.IsMatch(line, @"^  \S")) inService = line.Trim() == "ticketledger:";
            if (!inService) continue;
            if (Regex.IsMatch(line, @"^    \S")) inEnvironment = line.Trim() == "environment:";
            else if (inEnvironment && Regex.Match(line, @"^      ([A-Za-z0-9_]+):") is { Success: true } match) keys.Add(match.Groups[1].Value);
        }
        return keys;
    }

    [Fact]
    public void every_setting_compose_passes_to_the_service_is_one_it_reads()
    {
        var settings = ComposeServiceSettings();
        Assert.NotEmpty(settings);
        var aspNetHosting = new[] { "ASPNETCORE_ENVIRONMENT", "ASPNETCORE_URLS" };
        var unknown = settings.Where(key => !aspNetHosting.Contains(key) && !Settings.IsKnown(key.Replace("__", ":"))).ToList();
        Assert.Empty(unknown);
    }

    [Fact]
    public void compose_runs_the_service_on_rabbitmq_against_its_own_postgres()
    {
        var settings = ComposeServiceSettings();
        Assert.Contains("ConnectionStrings__Marten", settings);
        Assert.Contains("Messaging__Transport", settings);
        Assert.Contains("Messaging__RabbitMqUri", settings);
    }

    [Fact]
    public void the_readme_documents_every_setting()
    {
        var readme = File.ReadAllText(RepositoryFile("README.md"));
        var undocumented = Settings.All.Where(s => !readme.Contains(s.Key.Replace("<i>", "0"), StringComparison.Ordinal)
                                                   && !readme.Contains(s.Key, StringComparison.Ordinal)).Select(s => s.Key).ToList();
        Assert.Empty(undocumented);
    }
}
