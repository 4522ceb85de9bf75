namespace MjpgStreamer.Http;

/// <summary>
/// The original's static-file rules: the name is the run of [A-Za-z0-9._-] after the first
/// "/", cut to 100 characters, so it can never leave the folder (no "/", no "%", no decoding).
/// </summary>
internal static class StaticFiles
{
    private const int MaxNameLength = 100;

    private static readonly Dictionary<string, string> MimeTypes = new(StringComparer.Ordinal)
    {
        [".html"] = "text/html",
        [".htm"] = "text/html",
        [".css"] = "text/css",
        [".js"] = "text/javascript",
        [".txt"] = "text/plain",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".png"] = "image/png",
        [".gif"] = "image/gif",
        [".ico"] = "image/x-icon",
        [".swf"] = "application/x-shockwave-flash",
        [".cab"] = "application/x-shockwave-flash",
        [".jar"] = "application/java-archive",
        [".json"] = "application/json",
    };

    /// <summary>The file name a raw request target asks for ("" for the index).</summary>
    public static string NameFromTarget(string rawTarget)
    {
        var start = rawTarget.StartsWith('/') ? 1 : 0;
        var end = start;
        while (end < rawTarget.Length && end - start < MaxNameLength && IsNameChar(rawTarget[end]))
        {
            end++;
        }

        return rawTarget[start..end];
    }

    public enum Lookup
    {
        Found,
        NoExtension,
        UnknownType,
    }

    /// <summary>Checks the name's extension against the MIME table (exact and case-sensitive, as the original).</summary>
    public static Lookup ContentTypeFor(string name, out string contentType)
    {
        contentType = "";
        var dot = name.LastIndexOf('.');
        if (dot <= 0)
        {
            return Lookup.NoExtension;
        }

        if (MimeTypes.TryGetValue(name[dot..], out var type))
        {
            contentType = type;
            return Lookup.Found;
        }

        return Lookup.UnknownType;
    }

    private static bool IsNameChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-';
}
