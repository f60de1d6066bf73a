using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;
using TicketLedger.Hosting;

namespace TicketLedger.Dashboard;

/// <summary>
/// `/dashboard`: the page and its scripts, embedded in the assembly so the one executable serves them wherever it runs
/// (a bin folder, a container, an intranet without internet). The files hold no data: they open to anyone, and every
/// figure comes from the API with the reader's key (docs/dashboard.md).
/// </summary>
public static class DashboardHosting
{
    public const string Path = "/dashboard";

    public static void MapDashboard(this WebApplication app)
    {
        var assets = DashboardAsset.LoadAll();
        var dashboard = app.MapGroup(Path).AllowAnonymous().ExcludeFromDescription();
        dashboard.MapGet("", (HttpContext context) => Serve(context, assets, "index.html"));
        dashboard.MapGet("/{file}", (string file, HttpContext context) => Serve(context, assets, file));
    }

    private static Task Serve(HttpContext context, IReadOnlyDictionary<string, DashboardAsset> assets, string file)
    {
        if (!assets.TryGetValue(file, out var asset))
            return Problems.Write(context, StatusCodes.Status404NotFound, "Not Found", $"The dashboard has no file '{file}'.");

        var response = context.Response;
        response.Headers.ETag = asset.ETag;
        // Revalidated on every load (a 304 costs a few bytes), so a new release is never hidden behind a stale script.
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.ContentSecurityPolicy =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = asset.ContentType;
        var gzip = context.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        var body = gzip ? asset.Gzipped : asset.Content;
        if (gzip) response.Headers.ContentEncoding = "gzip";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }
}

/// <summary>One embedded file, read and compressed once at start-up: the whole dashboard is a few tens of kilobytes.</summary>
public sealed record DashboardAsset(string ContentType, byte[] Content, byte[] Gzipped, string ETag)
{
    private const string Prefix = "dashboard/";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8", [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8", [".svg"] = "image/svg+xml", [".png"] = "image/png",
    };

    public static IReadOnlyDictionary<string, DashboardAsset> LoadAll()
    {
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(Prefix, StringComparison.Ordinal))
            .ToDictionary(name => name[Prefix.Length..], name => Load(assembly, name), StringComparer.Ordinal);
    }

    private static DashboardAsset Load(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var content = new MemoryStream();
        stream.CopyTo(content);
        var bytes = content.ToArray();
        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.SmallestSize)) gzip.Write(bytes);
        var type = ContentTypes.GetValueOrDefault(System.IO.Path.GetExtension(name), "application/octet-stream");
        return new DashboardAsset(type, bytes, gzipped.ToArray(), $"\"{Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant()}\"");
    }
}
