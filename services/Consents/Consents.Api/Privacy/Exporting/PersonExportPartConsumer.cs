using Audit.Contracts;
using JasperFx;
using Marten;
using MassTransit;

namespace Consents.Api.Privacy.Exporting;

/// <summary>
/// Keeps each service's part of an export once (keyed by export and service). A part for an export that is gone —
/// expired, or its person erased meanwhile — or from a service that sends none is dropped: personal data is never
/// kept without the export it belongs to.
/// </summary>
public sealed class PersonExportPartConsumer(IDocumentSession session, TimeProvider time, ILogger<PersonExportPartConsumer> logger)
    : IConsumer<PersonExportPart>
{
    public async Task Consume(ConsumeContext<PersonExportPart> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var now = time.GetUtcNow();
        var export = await session.LoadAsync<PersonExportRecord>(m.ExportId, ct);
        if (export is null || export.PersonId != m.PersonId || export.ExpiresAt <= now || !PersonExports.Services.Contains(m.Service))
        {
            logger.LogInformation("Part of export {ExportId} from {Service} dropped: no such export in progress", m.ExportId, m.Service);
            return;
        }
        var key = PersonExportPartRecord.KeyOf(m.ExportId, m.Service);
        if (await session.LoadAsync<PersonExportPartRecord>(key, ct) is not null) return;
        session.Insert(new PersonExportPartRecord(key, m.ExportId, m.PersonId, m.Service, m.ContentJson, now, export.ExpiresAt));
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (DocumentAlreadyExistsException)
        {
            // The same part, delivered twice at once: the first is kept.
        }
    }
}
