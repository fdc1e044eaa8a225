using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Identity.Api.Keys;

/// <summary>
/// Token signing and encryption certificates. Production configures certificate files
/// (Identity:SigningCertificate / Identity:EncryptionCertificate, path and password). Development generates
/// them once into Identity:KeysPath (git-ignored) and reuses them, so tokens survive a restart.
/// </summary>
public static class SigningKeys
{
    public static (X509Certificate2 Signing, X509Certificate2 Encryption) Load(IConfiguration configuration, IHostEnvironment environment)
    {
        var signing = configuration["Identity:SigningCertificate:Path"];
        var encryption = configuration["Identity:EncryptionCertificate:Path"];
        if (signing is not null && encryption is not null)
        {
            return (X509CertificateLoader.LoadPkcs12FromFile(signing, configuration["Identity:SigningCertificate:Password"]),
                X509CertificateLoader.LoadPkcs12FromFile(encryption, configuration["Identity:EncryptionCertificate:Password"]));
        }
        var folder = configuration["Identity:KeysPath"];
        if (folder is null)
        {
            throw new InvalidOperationException("Configure Identity:SigningCertificate and Identity:EncryptionCertificate (or Identity:KeysPath in Development).");
        }
        folder = Path.GetFullPath(folder, environment.ContentRootPath);
        System.IO.Directory.CreateDirectory(folder);
        return (LoadOrCreate(Path.Combine(folder, "signing.pfx"), X509KeyUsageFlags.DigitalSignature),
            LoadOrCreate(Path.Combine(folder, "encryption.pfx"), X509KeyUsageFlags.KeyEncipherment));
    }

    private static X509Certificate2 LoadOrCreate(string path, X509KeyUsageFlags usage)
    {
        if (!File.Exists(path))
        {
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest("CN=Coordination Identity (development)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
            // Written to a temporary name then moved: two processes starting together never read half a file.
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllBytes(temporary, certificate.Export(X509ContentType.Pfx));
            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary);
            }
        }
        return X509CertificateLoader.LoadPkcs12FromFile(path, null, X509KeyStorageFlags.EphemeralKeySet);
    }
}
