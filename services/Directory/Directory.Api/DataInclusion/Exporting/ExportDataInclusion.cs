using System.Globalization;
using Directory.Api.Bodies;
using Directory.Api.Bodies.GettingDetails;
using Directory.Api.Formats;
using Directory.Api.ServiceOffers;
using Directory.Api.ServiceOffers.GettingDetails;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Directory.Api.DataInclusion.Exporting;

/// <summary>
/// Every body and service in data·inclusion schema v1, valid against the same schema files import uses.
/// Bodies created here are <c>source: coordination</c>, <c>id: coordination--&lt;id&gt;</c>; imported ones keep
/// their source and id. The export is meant for publication: a sensitive body's street address is left out.
/// </summary>
public static class DataInclusionExport
{
    public static StructureRecord Structure(BodyDetails b)
    {
        var p = b.Profile;
        var hideStreet = p.Sensitive;
        return new StructureRecord(
            Source: DataInclusionIds.SourceOf(b.Origin),
            Id: DataInclusionIds.Of(b.Origin, b.Id),
            Nom: p.Name,
            DateMaj: Date(b.UpdatedAt),
            Siret: p.Siret,
            Telephone: p.Phone,
            Courriel: p.Email,
            SiteWeb: p.Website,
            HorairesAccueil: p.OpeningHours,
            Description: p.Description,
            Adresse: hideStreet ? null : p.Address.Line,
            ComplementAdresse: hideStreet ? null : p.Address.Complement,
            CodePostal: p.Address.PostalCode,
            Commune: p.Address.Commune,
            CodeInsee: p.Address.CommuneInsee,
            ReseauxPorteurs: p.Kind is BodyKinds.Association or BodyKinds.Other ? null : [p.Kind]);
    }

    public static ServiceRecord Service(ServiceDetails s, string structureId)
    {
        var f = s.Fields;
        return new ServiceRecord(
            Source: DataInclusionIds.SourceOf(s.Origin),
            Id: DataInclusionIds.Of(s.Origin, s.Id),
            StructureId: structureId,
            Nom: f.Name,
            Description: f.Description,
            DateMaj: Date(s.UpdatedAt),
            Type: f.Type,
            // data·inclusion says "no value" with null; several of these lists must not be empty.
            Thematiques: NullIfEmpty(f.Thematiques),
            Publics: NullIfEmpty(f.Publics),
            ModesAccueil: NullIfEmpty(f.ModesAccueil),
            ZoneEligibilite: NullIfEmpty(f.ZoneEligibilite),
            ModesMobilisation: NullIfEmpty(f.ModesMobilisation),
            MobilisablePar: NullIfEmpty(f.MobilisablePar),
            Frais: f.Frais,
            ConditionsAcces: f.ConditionsAcces,
            ContactNomPrenom: f.ContactName,
            Courriel: f.Email,
            Telephone: f.Phone);
    }

    private static string Date(DateTimeOffset at) => Clock.ParisDate(at).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string[]? NullIfEmpty(string[] values) => values.Length == 0 ? null : values;
}

public static class ExportDataInclusionEndpoints
{
    public static RouteGroupBuilder MapExportDataInclusion(this RouteGroupBuilder group)
    {
        group.MapGet("/exports/data-inclusion/structures", Structures)
            .WithName("exportDataInclusionStructures")
            .WithSummary("Export every body as data·inclusion v1 structures")
            .WithDescription("A JSON array valid against the data·inclusion v1 structure schema. Bodies created here are source " +
                "'coordination', id 'coordination--<id>'; date_maj is the last change; reseaux_porteurs is [kind], or null for " +
                "association and other. A sensitive body's street address is left out.")
            .Produces<StructureRecord[]>();
        group.MapGet("/exports/data-inclusion/services", Services)
            .WithName("exportDataInclusionServices")
            .WithSummary("Export every service as data·inclusion v1 services")
            .WithDescription("A JSON array valid against the data·inclusion v1 service schema; structure_id is the id of the body's " +
                "exported structure.")
            .Produces<ServiceRecord[]>();
        return group;
    }

    private static Ok<IAsyncEnumerable<StructureRecord>> Structures(IQuerySession session, HttpContext http) =>
        TypedResults.Ok(session.Query<BodyDetails>().OrderBy(b => b.Id).ToAsyncEnumerable(http.RequestAborted).Select(DataInclusionExport.Structure));

    private static async Task<IResult> Services(IQuerySession session, HttpContext http)
    {
        // Only the id and origin of each body are read, to name the structure of each service.
        var origins = await session.Query<BodyDetails>().Select(b => new BodyOrigin(b.Id, b.Origin)).ToListAsync(http.RequestAborted);
        var structureIds = origins.ToDictionary(o => o.Id, o => DataInclusionIds.Of(o.Origin, o.Id));
        return TypedResults.Ok(session.Query<ServiceDetails>().OrderBy(s => s.Id).ToAsyncEnumerable(http.RequestAborted)
            .Select(s => DataInclusionExport.Service(s, structureIds.GetValueOrDefault(s.BodyId) ?? DataInclusionIds.Of(null, s.BodyId))));
    }

    private sealed record BodyOrigin(Guid Id, SourceRecord? Origin);
}
