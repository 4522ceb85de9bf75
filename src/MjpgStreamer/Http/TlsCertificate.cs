using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Http;

/// <summary>
/// -cert and -key: a PEM certificate (optionally followed by its intermediate certificates, as in a
/// fullchain.pem) and its PEM private key (RSA or EC; PKCS#8, PKCS#1 or SEC1; not encrypted). Every way they
/// can be wrong is one <see cref="StartupException"/> line naming the file and the fault.
/// </summary>
internal sealed class TlsCertificate : IDisposable
{
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    private TlsCertificate(X509Certificate2 certificate, X509Certificate2Collection chain, string keyType)
    {
        Certificate = certificate;
        Chain = chain;
        KeyType = keyType;
    }

    /// <summary>The server certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificates after the first in the -cert file (intermediates sent to the client).</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>"RSA 2048 bit" or "EC 256 bit": for the start-up log line.</summary>
    public string KeyType { get; }

    public static TlsCertificate Load(string plugin, string certificateFile, string keyFile)
    {
        var certificateText = ReadText(plugin, certificateFile);
        var keyText = ReadText(plugin, keyFile);

        var all = new X509Certificate2Collection();
        try
        {
            all.ImportFromPem(certificateText);
        }
        catch (CryptographicException ex)
        {
            throw new StartupException($"{plugin}: '{certificateFile}' is not a valid PEM certificate: {ex.Message}");
        }

        if (all.Count == 0)
        {
            throw new StartupException($"{plugin}: '{certificateFile}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }

        var publicOnly = all[0];
        // PKCS#8 "ENCRYPTED PRIVATE KEY", or the traditional "Proc-Type: 4,ENCRYPTED" header of openssl's -des3 & co.
        if (keyText.Contains("ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal) || keyText.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
        {
            throw new StartupException($"{plugin}: '{keyFile}' is encrypted with a passphrase; give the key without one (openssl pkey -in KEY -out PLAIN.key)");
        }

        if (!keyText.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new StartupException($"{plugin}: '{keyFile}' holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        }

        var algorithm = publicOnly.GetKeyAlgorithm() switch
        {
            RsaOid => "RSA",
            EcOid => "EC",
            var oid => throw new StartupException($"{plugin}: '{certificateFile}' has a key type this server cannot use ({oid}); use RSA or EC (P-256)"),
        };
        using AsymmetricAlgorithm key = algorithm == "RSA" ? RSA.Create() : ECDsa.Create();
        try
        {
            key.ImportFromPem(keyText);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new StartupException($"{plugin}: '{keyFile}' is not the private key of '{certificateFile}' (that needs an {algorithm} key): {ex.Message}");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = key is RSA rsa ? publicOnly.CopyWithPrivateKey(rsa) : publicOnly.CopyWithPrivateKey((ECDsa)key);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new StartupException($"{plugin}: '{keyFile}' is not the private key of '{certificateFile}' (the two do not match)");
        }

        var keyType = $"{algorithm} {key.KeySize} bit";
        // The key of CopyWithPrivateKey is ephemeral; OpenSSL (SslStream on Linux) uses it as it is, no PKCS#12 round trip needed.
        publicOnly.Dispose();
        all.RemoveAt(0);
        return new TlsCertificate(certificate, all, keyType);
    }

    private static string ReadText(string plugin, string file)
    {
        // Only a regular file (a FIFO named as -cert would block the start for ever), its size read once.
        if (Native.RegularFile.TryOpen(file, out var handle, out var size) != Native.RegularFile.Result.Opened)
        {
            throw new StartupException($"{plugin}: cannot read '{file}': not a readable regular file");
        }

        using (handle)
        {
            if (size > 1024 * 1024)
            {
                throw new StartupException($"{plugin}: '{file}' is too large for a PEM certificate or key ({size} bytes)");
            }

            try
            {
                var bytes = new byte[size];
                var read = 0;
                while (read < bytes.Length && RandomAccess.Read(handle!, bytes.AsSpan(read), read) is > 0 and var n)
                {
                    read += n;
                }

                return System.Text.Encoding.UTF8.GetString(bytes, 0, read);
            }
            catch (IOException ex)
            {
                throw new StartupException($"{plugin}: cannot read '{file}': {ex.Message}");
            }
        }
    }

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var certificate in Chain)
        {
            certificate.Dispose();
        }
    }
}
