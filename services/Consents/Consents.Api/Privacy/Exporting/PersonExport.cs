using System.Text.Json;
using Consents.Api.Access;

namespace Consents.Api.Privacy.Exporting;

// A person's export (GDPR art. 15 and 20): one request, one part from each service that holds data about the person,
// one JSON document. The request is an event (ids only: it is what the outbox publishes as PersonExportRequested); the
// parts hold personal data and are documents, kept 24 hours and then deleted — never events, which outlive everything.

public enum ExportChannel
{
    /// <summary>The person, with their own token.</summary>
    Self,

    /// <summary>The body that registered the person, at the person's request (the person may have no login).</summary>
    RegisteringBody,
}

public sealed record PersonExportRequested(Guid ExportId, Guid PersonId, Actor RequestedBy, ExportChannel Channel, DateTimeOffset At);

public sealed record PersonExportRecord(Guid Id, Guid PersonId, ExportChannel Channel, string RequestedBySubject, Guid? RequestedByBodyId,
    DateTimeOffset RequestedAt, DateTimeOffset ExpiresAt);

/// <summary>One service's part, as it sent it. Keyed by export and service: a part sent twice is kept once.</summary>
public sealed record PersonExportPartRecord(string Id, Guid ExportId, Guid PersonId, string Service, string ContentJson, DateTimeOffset ReceivedAt,
    DateTimeOffset ExpiresAt)
{
    public static string KeyOf(Guid exportId, string service) => $"{exportId:N}:{service}";
}

public static class PersonExports
{
    public const string Format = "coordination.person-export.v1";

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>
    /// 24 hours after the request, to the millisecond below: PostgreSQL keeps microseconds and the clock has ticks, so an
    /// expiry with ticks would be compared, in the cleanup's query, with a rounded copy of itself and outlive its hour.
    /// </summary>
    public static DateTimeOffset ExpiryOf(DateTimeOffset requestedAt)
    {
        var expiry = requestedAt + Lifetime;
        return expiry.AddTicks(-(expiry.Ticks % TimeSpan.TicksPerMillisecond));
    }

    /// <summary>The services that hold data about a person, each of which sends a part (Directory holds none).</summary>
    public static readonly IReadOnlyList<string> Services = ["consents", "identity", "referrals", "appointments"];
}

public enum ExportStatus
{
    Pending,
    Ready,
}

public sealed record ExportPartStatus(string Service, DateTimeOffset? ReceivedAt);

/// <summary>Where an export stands. <see cref="Status"/> is ready once every service's part has arrived.</summary>
public sealed record ExportStatusView(Guid Id, Guid PersonId, ExportStatus Status, DateTimeOffset RequestedAt, DateTimeOffset ExpiresAt,
    IReadOnlyList<ExportPartStatus> Parts);

public sealed record ExportSource(string Service, DateTimeOffset ReceivedAt, IReadOnlyList<string> Sections);

/// <summary>
/// The export: every section every service sent (identity, consents with their history, companions, access log,
/// login, referrals with reasons and history, contact persons, accompaniments, appointments, webhook deliveries),
/// and where each came from.
/// </summary>
public sealed record PersonExportDocument(string Format, Guid ExportId, Guid PersonId, DateTimeOffset RequestedAt, DateTimeOffset CompletedAt,
    DateTimeOffset ExpiresAt, IReadOnlyList<ExportSource> Sources, IReadOnlyDictionary<string, JsonElement> Sections);

public static class ExportAssembly
{
    public static ExportStatusView Status(PersonExportRecord export, IReadOnlyList<PersonExportPartRecord> parts)
    {
        var received = parts.Where(p => p.ExportId == export.Id).ToDictionary(p => p.Service, p => p.ReceivedAt);
        var statuses = PersonExports.Services
            .Select(s => new ExportPartStatus(s, received.TryGetValue(s, out var at) ? at : null)).ToList();
        var ready = statuses.All(s => s.ReceivedAt is not null);
        return new ExportStatusView(export.Id, export.PersonId, ready ? ExportStatus.Ready : ExportStatus.Pending, export.RequestedAt,
            export.ExpiresAt, statuses);
    }

    /// <summary>Pure: the document once every part is in (null before), sections in the order of the services.</summary>
    public static PersonExportDocument? Assemble(PersonExportRecord export, IReadOnlyList<PersonExportPartRecord> parts)
    {
        var byService = parts.Where(p => p.ExportId == export.Id).GroupBy(p => p.Service).ToDictionary(g => g.Key, g => g.First());
        if (!PersonExports.Services.All(byService.ContainsKey)) return null;

        var sections = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var sources = new List<ExportSource>();
        foreach (var service in PersonExports.Services)
        {
            var part = byService[service];
            using var content = JsonDocument.Parse(part.ContentJson);
            var names = new List<string>();
            foreach (var section in content.RootElement.EnumerateObject())
            {
                // Sections are named so that no two services send the same one; should they, both are kept.
                var name = sections.ContainsKey(section.Name) ? $"{service}.{section.Name}" : section.Name;
                sections[name] = section.Value.Clone();
                names.Add(name);
            }
            sources.Add(new ExportSource(service, part.ReceivedAt, names));
        }
        return new PersonExportDocument(PersonExports.Format, export.Id, export.PersonId, export.RequestedAt, sources.Max(s => s.ReceivedAt),
            export.ExpiresAt, sources, sections);
    }
}
