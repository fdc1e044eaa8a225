using System.Text.Json;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Security;
using Directory.Api.Bodies;
using Directory.Api.Bodies.GettingDetails;
using Directory.Api.Bodies.Registering;
using Directory.Api.Bodies.Updating;
using Directory.Api.Formats;
using Directory.Api.ServiceOffers;
using Directory.Api.ServiceOffers.GettingDetails;
using Directory.Api.ServiceOffers.Listing;
using Directory.Api.ServiceOffers.Updating;
using Marten;

namespace Directory.Api.DataInclusion.Importing;

public sealed record ImportReport(int Created, int Updated, int Unchanged, IReadOnlyList<ImportRejection> Rejected, IReadOnlyList<ImportWarning> Warnings);

/// <summary>Documents the request body: <c>structures</c> and <c>services</c> are data·inclusion v1 records.</summary>
public sealed record ImportDataInclusionRequest(JsonElement[]? Structures, JsonElement[]? Services);

public static class ImportDataInclusionEndpoint
{
    public static RouteGroupBuilder MapImportDataInclusion(this RouteGroupBuilder group)
    {
        group.MapPost("/imports/data-inclusion", Handle)
            .RequireAuthorization(Policies.Admin)
            .Accepts<ImportDataInclusionRequest>("application/json")
            .WithName("importDataInclusion")
            .WithSummary("Import structures and services in data·inclusion schema v1")
            .WithDescription("Administrators. Each record is checked against the official JSON Schema (formats included); a service " +
                "whose structure_id is unknown is rejected too. A rejected record never blocks the others, and the accepted ones are " +
                "written in one transaction. A wrong SIRET key, opening hours outside the subset, a missing or non-INSEE code_insee or " +
                "an unreadable phone are kept and listed as warnings. Records are keyed by source and id: importing the same data again " +
                "creates nothing and changes nothing. Structures become bodies of kind = their first reseaux_porteurs value, else other.")
            .Produces<ImportReport>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    private static async Task<IResult> Handle(JsonElement body, Caller caller, IDocumentSession session, TimeProvider time, HttpContext http)
    {
        if (body.ValueKind != JsonValueKind.Object) return Problems.Invalid("$", "An object with 'structures' and 'services' arrays.");
        var errors = new Dictionary<string, string[]>();
        var structures = Records(body, "structures", errors);
        var services = Records(body, "services", errors);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var import = new Import(session, caller.Subject, time.Today(), http.RequestAborted);
        await import.Structures(structures);
        await import.Services(services);
        if (import.HasChanges)
        {
            session.PropagateTrace();
            await session.SaveChangesAsync(http.RequestAborted);
        }
        return TypedResults.Ok(import.Report());
    }

    private static JsonElement[] Records(JsonElement body, string name, Dictionary<string, string[]> errors)
    {
        if (!body.TryGetProperty(name, out var list) || list.ValueKind == JsonValueKind.Null) return [];
        if (list.ValueKind == JsonValueKind.Array) return list.EnumerateArray().ToArray();
        errors[name] = ["An array of data·inclusion records."];
        return [];
    }

    /// <summary>One import: validates and maps every record, then appends the changes to the session (not committed here).</summary>
    private sealed class Import(IDocumentSession session, string by, DateOnly today, CancellationToken ct)
    {
        private readonly List<ImportRejection> _rejected = [];
        private readonly List<ImportWarning> _warnings = [];
        private readonly HashSet<Guid> _bodiesInThisImport = [];
        private int _created;
        private int _updated;
        private int _unchanged;

        public bool HasChanges => _created + _updated > 0;

        public ImportReport Report() => new(_created, _updated, _unchanged, _rejected, _warnings);

        public async Task Structures(JsonElement[] records)
        {
            var accepted = new List<(MappedStructure Mapped, Guid BodyId)>();
            var seen = new HashSet<Guid>();
            for (var i = 0; i < records.Length; i++)
            {
                var id = DataInclusionMapping.IdOf(records[i], $"structures[{i}]");
                var (mapped, errors) = DataInclusionMapping.Structure(records[i]);
                if (mapped is null)
                {
                    _rejected.Add(new ImportRejection(id, errors));
                    continue;
                }
                var bodyId = DataInclusionIds.StreamOf("structure", mapped.Key.Source, mapped.Key.Id);
                if (!seen.Add(bodyId))
                {
                    _rejected.Add(new ImportRejection(id, ["/id: this source and id already appear earlier in the import."]));
                    continue;
                }
                _warnings.AddRange(mapped.Warnings.Select(field => new ImportWarning(id, field)));
                accepted.Add((mapped, bodyId));
            }

            var existing = (await session.LoadManyAsync<BodyDetails>(ct, accepted.Select(a => a.BodyId))).ToDictionary(b => b.Id);
            foreach (var (mapped, bodyId) in accepted)
            {
                _bodiesInThisImport.Add(bodyId);
                if (!existing.TryGetValue(bodyId, out var current))
                {
                    var command = new RegisterBody(bodyId, mapped.Profile, by, DataInclusionIds.OriginOf(mapped.Key));
                    session.Events.StartStream<Body>(bodyId, RegisterBodyDecider.Decide(command));
                    _created++;
                    continue;
                }
                var profile = DataInclusionMapping.Merge(current.Profile, mapped.Profile);
                // The read model is current (inline), so an unchanged record costs no stream read.
                if (UpdateBodyDecider.Same(current.Profile, profile))
                {
                    _unchanged++;
                    continue;
                }
                var stream = await session.Events.FetchForWriting<Body>(bodyId, current.Version, ct);
                stream.AppendMany(UpdateBodyDecider.Decide(stream.Aggregate!, new UpdateBody(bodyId, profile, by)).Events);
                _updated++;
            }
        }

        public async Task Services(JsonElement[] records)
        {
            var accepted = new List<(string Id, MappedService Mapped, Guid ServiceId, Guid BodyId)>();
            var seen = new HashSet<Guid>();
            foreach (var (record, i) in records.Select((r, i) => (r, i)))
            {
                var id = DataInclusionMapping.IdOf(record, $"services[{i}]");
                var (mapped, errors) = DataInclusionMapping.Service(record);
                if (mapped is null)
                {
                    _rejected.Add(new ImportRejection(id, errors));
                    continue;
                }
                var serviceId = DataInclusionIds.StreamOf("service", mapped.Key.Source, mapped.Key.Id);
                if (!seen.Add(serviceId))
                {
                    _rejected.Add(new ImportRejection(id, ["/id: this source and id already appear earlier in the import."]));
                    continue;
                }
                accepted.Add((id, mapped, serviceId, DataInclusionIds.StreamOf("structure", mapped.StructureKey.Source, mapped.StructureKey.Id)));
            }

            var knownBodies = (await session.LoadManyAsync<BodyDetails>(ct, accepted.Select(a => a.BodyId).Distinct()
                .Where(b => !_bodiesInThisImport.Contains(b)))).Select(b => b.Id).ToHashSet();
            var existing = (await session.LoadManyAsync<ServiceDetails>(ct, accepted.Select(a => a.ServiceId))).ToDictionary(s => s.Id);
            foreach (var (id, mapped, serviceId, bodyId) in accepted)
            {
                if (!_bodiesInThisImport.Contains(bodyId) && !knownBodies.Contains(bodyId))
                {
                    _rejected.Add(new ImportRejection(id, [$"/structure_id: no structure '{mapped.StructureKey.Id}' from source '{mapped.StructureKey.Source}' is known."]));
                    continue;
                }
                if (!existing.TryGetValue(serviceId, out var current))
                {
                    var command = new ListService(serviceId, bodyId, mapped.Fields, ListServiceDecider.CapacityOf(null, today), by,
                        DataInclusionIds.OriginOf(mapped.Key));
                    session.Events.StartStream<ServiceOffer>(serviceId, ListServiceDecider.Decide(command));
                    _warnings.AddRange(mapped.Warnings.Select(field => new ImportWarning(id, field)));
                    _created++;
                    continue;
                }
                if (current.BodyId != bodyId)
                {
                    _rejected.Add(new ImportRejection(id, ["/structure_id: a service cannot move to another structure."]));
                    continue;
                }
                _warnings.AddRange(mapped.Warnings.Select(field => new ImportWarning(id, field)));
                if (ServiceRules.Same(current.Fields, mapped.Fields))
                {
                    _unchanged++;
                    continue;
                }
                var stream = await session.Events.FetchForWriting<ServiceOffer>(serviceId, current.Version, ct);
                stream.AppendMany(UpdateServiceDecider.Decide(stream.Aggregate!, new UpdateService(serviceId, bodyId, mapped.Fields, by)).Events);
                _updated++;
            }
        }
    }
}
