namespace Coordination.ServiceDefaults.Demo;

/// <summary>
/// The fixed ids of the Development demo data (listed in the README). Only seeded where
/// <c>Demo:Seed</c> is true, which production configuration never sets.
/// </summary>
public static class DemoData
{
    public static readonly Guid CcasNarbonne = Guid.Parse("0193a0a0-0000-7000-8000-000000000001");
    public static readonly Guid CafAude = Guid.Parse("0193a0a0-0000-7000-8000-000000000002");
    public static readonly Guid FranceServicesNarbonne = Guid.Parse("0193a0a0-0000-7000-8000-000000000003");
    public static readonly Guid AssociationPairs = Guid.Parse("0193a0a0-0000-7000-8000-000000000004");
    public static readonly Guid MairieNarbonne = Guid.Parse("0193a0a0-0000-7000-8000-000000000005");

    public static readonly Guid Person = Guid.Parse("0193a0a0-0000-7000-8000-0000000000a1");

    public const string Password = "demo";

    public sealed record DemoBody(Guid Id, string Name, string Kind, string CommuneInsee, string Commune, string PostalCode, string[] Territory);

    public static readonly DemoBody[] Bodies =
    [
        new(CcasNarbonne, "CCAS de Narbonne", "ccas-cias", "11262", "Narbonne", "11100", ["11262"]),
        new(CafAude, "CAF de l'Aude", "caf", "11069", "Carcassonne", "11000", ["11"]),
        new(FranceServicesNarbonne, "France services Narbonne", "france-service", "11262", "Narbonne", "11100", ["11262"]),
        new(AssociationPairs, "Association Pairs Aidants de l'Aude", "association", "11262", "Narbonne", "11100", ["11"]),
        new(MairieNarbonne, "Mairie de Narbonne", "communes", "11262", "Narbonne", "11100", ["11262"]),
    ];

    /// <summary>One login per role (password "demo"), with the body each professional belongs to.</summary>
    public sealed record DemoLogin(string Login, string DisplayName, string Role, Guid? BodyId, Guid? PersonId);

    public static readonly DemoLogin[] Logins =
    [
        new("social-worker@demo", "Sophie Martin (CCAS)", "social_worker", CcasNarbonne, null),
        new("coordinator@demo", "Karim Benali (CCAS)", "coordinator", CcasNarbonne, null),
        new("caf-agent@demo", "Claire Dubois (CAF)", "social_worker", CafAude, null),
        new("adviser@demo", "Julien Petit (France services)", "france_services_adviser", FranceServicesNarbonne, null),
        new("mairie-secretary@demo", "Nadia Roux (Mairie)", "mairie_secretary", MairieNarbonne, null),
        new("peer-worker@demo", "Marc Lefèvre (pair aidant)", "peer_worker", AssociationPairs, null),
        new("volunteer@demo", "Alice Garnier (bénévole)", "volunteer", AssociationPairs, null),
        new("admin@demo", "Administrateur", "admin", null, null),
        new("person@demo", "Personne de démonstration", "person", null, Person),
    ];
}
