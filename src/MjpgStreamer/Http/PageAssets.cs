using System.Reflection;
using System.Security.Cryptography;

namespace MjpgStreamer.Http;

/// <summary>
/// The built-in web page's files (src/MjpgStreamer/Http/Page), embedded in the executable as resources
/// "page/NAME" and read once on first use: index.html, page.css, page.js and favicon.ico.
/// </summary>
internal static class PageAssets
{
    public const string Index = "index.html";

    public const string Favicon = "favicon.ico";

    private static readonly Lazy<Dictionary<string, PageAsset>> Assets = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The file named <paramref name="name"/> (no folder), or null when the page has none of that name.</summary>
    public static PageAsset? Find(string name) => Assets.Value.GetValueOrDefault(name);

    /// <summary>The names the page's own files answer to at "/" without -w (index.html is "/" itself there).</summary>
    public static bool IsRootAsset(string name) => name != Index && Assets.Value.ContainsKey(name);

    private static Dictionary<string, PageAsset> Load()
    {
        var assembly = typeof(PageAssets).Assembly;
        var assets = new Dictionary<string, PageAsset>(StringComparer.Ordinal);
        foreach (var (name, type) in new[]
        {
            (Index, "text/html; charset=utf-8"),
            ("page.css", "text/css; charset=utf-8"),
            ("page.js", "text/javascript; charset=utf-8"),
            (Favicon, "image/x-icon"),
        })
        {
            assets[name] = Read(assembly, name, type);
        }

        return assets;
    }

    private static PageAsset Read(Assembly assembly, string name, string contentType)
    {
        using var stream = assembly.GetManifestResourceStream("page/" + name)
            ?? throw new InvalidOperationException($"the page's file {name} is not embedded in the executable");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        var tag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8)) + "\"";
        return new PageAsset(name, bytes, contentType, tag);
    }
}

/// <summary>One file of the built-in page: its bytes, type and entity tag (a hash of the bytes).</summary>
internal sealed record PageAsset(string Name, byte[] Bytes, string ContentType, string ETag);
