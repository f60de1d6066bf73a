using System.Text.RegularExpressions;
using Npgsql;
using TicketLedger.Hosting;
using YamlDotNet.RepresentationModel;

namespace TicketLedger.Tests.Hosting;

/// <summary>
/// docker-compose.yml and the proxy's Caddyfile, checked as files: there is no Docker engine to run them here.
/// The deployment they describe: docs/nodes.md, "Running several nodes with docker compose".
/// </summary>
public sealed class the_deployment_files
{
    private const string ServiceDockerfile = "src/TicketLedger/Dockerfile";

    private static string RepositoryFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TicketLedger.sln"))) return Path.Combine(dir.FullName, name);
        throw new FileNotFoundException("TicketLedger.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The services of docker-compose.yml as docker compose reads them: aliases and merge keys resolved.</summary>
    private static Dictionary<string, YamlMappingNode> ComposeServices()
    {
        using var reader = new StringReader(File.ReadAllText(RepositoryFile("docker-compose.yml")));
        var yaml = new YamlStream();
        yaml.Load(reader);
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        return services.Children.ToDictionary(service => ((YamlScalarNode)service.Key).Value!, service => Merged((YamlMappingNode)service.Value));
    }

    /// <summary>
    /// A service with its YAML merge keys (`&lt;&lt;: *anchor`) applied: the merged mappings' keys, overridden by the
    /// service's own. YamlDotNet's MergingParser cannot do that: it reports an overriding key as a duplicate.
    /// </summary>
    private static YamlMappingNode Merged(YamlMappingNode node)
    {
        var mergeKey = new YamlScalarNode("<<");
        if (!node.Children.TryGetValue(mergeKey, out var merged)) return node;
        var result = new YamlMappingNode(node.Children.Where(pair => !pair.Key.Equals(mergeKey)));
        var sources = merged is YamlSequenceNode list ? list.Children : [merged];
        foreach (var source in sources.Cast<YamlMappingNode>().Select(Merged))
            foreach (var pair in source.Children.Where(pair => !result.Children.ContainsKey(pair.Key)))
                result.Add(pair.Key, pair.Value);
        return result;
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string? Scalar(YamlMappingNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;

    private static List<string> Sequence(YamlMappingNode node, string key) =>
        Child(node, key) is YamlSequenceNode sequence ? sequence.Children.Select(item => ((YamlScalarNode)item).Value!).ToList() : [];

    /// <summary>The replicas of the service: every compose service built from its Dockerfile.</summary>
    private static Dictionary<string, YamlMappingNode> Replicas()
    {
        var dockerfile = Path.GetFullPath(RepositoryFile(ServiceDockerfile));
        return ComposeServices().Where(service => Child(service.Value, "build") is YamlMappingNode build
                && Path.GetFullPath(Path.Combine(RepositoryFile(Scalar(build, "context") ?? "."), Scalar(build, "dockerfile") ?? "Dockerfile")) == dockerfile)
            .ToDictionary();
    }

    /// <summary>A service's environment, in either of compose's forms (a mapping, or a list of KEY=value).</summary>
    private static Dictionary<string, string> Environment(YamlMappingNode service) => Child(service, "environment") switch
    {
        YamlMappingNode mapping => mapping.Children.ToDictionary(pair => ((YamlScalarNode)pair.Key).Value!, pair => ((YamlScalarNode)pair.Value).Value ?? ""),
        YamlSequenceNode list => list.Children.Select(item => ((YamlScalarNode)item).Value!.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair.ElementAtOrDefault(1) ?? ""),
        _ => [],
    };

    /// <summary>The settings every replica runs with (they are the same: <see cref="every_replica_gets_the_same_settings"/>).</summary>
    private static Dictionary<string, string> ServiceSettings() => Environment(Replicas().Values.First());

    /// <summary>The names of the services running an image of the given repository (any tag).</summary>
    private static string[] ServicesRunning(string image) =>
        ComposeServices().Where(service => Regex.IsMatch(Scalar(service.Value, "image") ?? "", $"^{image}(:|$)")).Select(service => service.Key).ToArray();

    /// <summary>Each office's code and the connection string naming its database (Offices:&lt;i&gt;:Database, default Marten).</summary>
    private static List<(string Office, string Database)> OfficeDatabases(Dictionary<string, string> settings)
    {
        var defaultDatabase = Settings.All.Single(setting => setting.Key == Settings.OfficeDatabase).Default;
        return settings.Keys.Select(key => Regex.Match(key, @"^Offices__(\d+)__Code$")).Where(match => match.Success)
            .Select(match => (settings[match.Value], settings.GetValueOrDefault($"Offices__{match.Groups[1].Value}__Database", defaultDatabase)))
            .ToList();
    }

    private static KeyValuePair<string, YamlMappingNode> Proxy() =>
        Assert.Single(ComposeServices(), service => Regex.IsMatch(Scalar(service.Value, "image") ?? "", "^(caddy|nginx)(:|$)"));

    /// <summary>The Caddyfile the proxy runs: the file or folder of the repository mounted over the image's /etc/caddy.</summary>
    private static string ProxyCaddyfile()
    {
        foreach (var volume in Sequence(Proxy().Value, "volumes"))
        {
            var parts = volume.Split(':');
            if (parts[0].StartsWith('.') && parts[1] == "/etc/caddy") return File.ReadAllText(RepositoryFile(Path.Combine(parts[0], "Caddyfile")));
            if (parts[0].StartsWith('.') && parts[1] == "/etc/caddy/Caddyfile") return File.ReadAllText(RepositoryFile(parts[0]));
        }
        throw new Xunit.Sdk.XunitException("The proxy mounts no Caddyfile of the repository over /etc/caddy");
    }

    /// <summary>The `host:port` upstreams of the Caddyfile's reverse_proxy (on its line or in `to` lines), comments left out.</summary>
    private static HashSet<string> ProxyUpstreams()
    {
        var caddyfile = Regex.Replace(ProxyCaddyfile(), @"(^|\s)#.*$", "", RegexOptions.Multiline);
        return Regex.Matches(caddyfile, @"^\s*(?:reverse_proxy|to)\s+([^{\r\n]*)", RegexOptions.Multiline)
            .SelectMany(line => Regex.Split(line.Groups[1].Value.Trim(), @"\s+").Where(token => token != ""))
            .Select(upstream => Regex.Replace(upstream, "^https?://", "")).ToHashSet();
    }

    /// <summary>The host port of a `ports` entry, `[ip:][host:]container[/protocol]`; without a host part docker picks one.</summary>
    private static string HostPort(string published)
    {
        var parts = published.Split('/')[0].Split(':');
        return parts.Length == 1 ? "(any)" : parts[^2];
    }

    [Fact]
    public void every_setting_compose_passes_to_the_service_is_one_it_reads()
    {
        var settings = Replicas().Values.SelectMany(replica => Environment(replica).Keys).Distinct().ToList();
        Assert.NotEmpty(settings);
        var aspNetHosting = new[] { "ASPNETCORE_ENVIRONMENT", "ASPNETCORE_URLS" };
        var unknown = settings.Where(key => !aspNetHosting.Contains(key) && !Settings.IsKnown(key.Replace("__", ":"))).ToList();
        Assert.Empty(unknown);
    }

    [Fact]
    public void compose_runs_the_service_on_rabbitmq_against_its_own_postgres()
    {
        var settings = ServiceSettings();
        Assert.Contains("ConnectionStrings__Marten", settings.Keys);
        Assert.Equal("rabbitmq", settings["Messaging__Transport"]);
        Assert.Contains("Messaging__RabbitMqUri", settings.Keys);
    }

    [Fact]
    public void compose_runs_at_least_two_replicas_of_the_service()
    {
        Assert.True(Replicas().Count >= 2, $"replicas built from {ServiceDockerfile}: {string.Join(", ", Replicas().Keys)}");
    }

    [Fact]
    public void every_replica_gets_the_same_settings()
    {
        var settings = Replicas().ToDictionary(replica => replica.Key, replica => Environment(replica.Value));
        var first = settings.Values.First();
        var differences = settings.SelectMany(replica => replica.Value.Keys.Union(first.Keys)
            .Where(key => replica.Value.GetValueOrDefault(key) != first.GetValueOrDefault(key))
            .Select(key => $"{replica.Key}: {key}")).ToList();
        Assert.Empty(differences);
    }

    [Fact]
    public void the_proxy_is_caddy_from_its_official_image_and_sends_to_every_replica()
    {
        Assert.Matches(@"^caddy:2(\.\d+)*(-alpine)?$", Scalar(Proxy().Value, "image"));
        var port = new Uri(ServiceSettings()["ASPNETCORE_URLS"].Split(';')[0]).Port;
        var expected = Replicas().Keys.Select(replica => $"{replica}:{port}").ToHashSet();
        Assert.Equal(expected.Order(), ProxyUpstreams().Order());
        Assert.Matches(@"(?m)^\s*lb_policy\s+round_robin\s*$", ProxyCaddyfile());
    }

    [Fact]
    public void the_proxy_leaves_out_a_replica_that_is_not_ready()
    {
        Assert.Matches(@"(?m)^\s*health_uri\s+/health/ready\s*$", ProxyCaddyfile());
    }

    [Fact]
    public void the_proxy_never_resends_a_post_that_reached_a_replica()
    {
        // Without lb_retry_match Caddy retries on another replica only GETs, and any request that never connected.
        Assert.DoesNotMatch(@"(?m)^\s*lb_retry_match\b", ProxyCaddyfile());
    }

    [Fact]
    public void only_the_proxy_publishes_the_service_on_a_host_port()
    {
        foreach (var replica in Replicas()) Assert.Empty(Sequence(replica.Value, "ports"));
        var (proxy, service) = Proxy();
        var proxyPorts = Sequence(service, "ports").Select(HostPort).ToList();
        Assert.Contains("8080", proxyPorts);
        var clashes = ComposeServices().Where(other => other.Key != proxy)
            .SelectMany(other => Sequence(other.Value, "ports").Select(HostPort).Intersect(proxyPorts).Select(port => $"{other.Key}: {port}")).ToList();
        Assert.Empty(clashes);
    }

    [Fact]
    public void every_office_lives_in_a_postgres_server_that_compose_runs()
    {
        var settings = ServiceSettings();
        var offices = OfficeDatabases(settings);
        Assert.NotEmpty(offices);
        foreach (var (office, database) in offices)
        {
            Assert.True(settings.TryGetValue($"ConnectionStrings__{database}", out var connectionString),
                $"office {office} is in database {database}, which has no ConnectionStrings__{database}");
            Assert.Contains(new NpgsqlConnectionStringBuilder(connectionString).Host, ServicesRunning("postgres"));
        }
    }

    [Fact]
    public void the_district_keeps_its_offices_on_two_postgres_servers()
    {
        var settings = ServiceSettings();
        var servers = OfficeDatabases(settings)
            .Select(office => new NpgsqlConnectionStringBuilder(settings.GetValueOrDefault($"ConnectionStrings__{office.Database}")).Host)
            .Distinct().ToList();
        Assert.True(ServicesRunning("postgres").Length >= 2, "postgres services: " + string.Join(", ", ServicesRunning("postgres")));
        Assert.True(servers.Count >= 2, "the offices' database servers: " + string.Join(", ", servers));
    }

    [Fact]
    public void every_api_key_of_the_district_names_the_offices_it_may_use()
    {
        var settings = ServiceSettings();
        Assert.True(OfficeDatabases(settings).Count >= 2, "compose runs a district of several offices");
        var keys = settings.Keys.Select(key => Regex.Match(key, @"^Auth__ApiKeys__(\d+)__")).Where(match => match.Success).Select(match => match.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(keys);
        var unbound = keys.Where(key => !settings.ContainsKey($"Auth__ApiKeys__{key}__Office") && !settings.ContainsKey($"Auth__ApiKeys__{key}__Offices"))
            .Select(key => settings.GetValueOrDefault($"Auth__ApiKeys__{key}__Name", key)).ToList();
        Assert.Empty(unbound);
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
