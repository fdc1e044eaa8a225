using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Audit;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Demo;
using JasperFx.Events;
using Marten;
using Npgsql;
using Referrals.Api.Accompaniments;
using Referrals.Api.ContactPersons;
using Referrals.Api.Copies;
using Referrals.Api;
using Referrals.Api.Referrals;
using static Coordination.Bench.Sections.BenchIds;

namespace Coordination.Bench.Sections;

/// <summary>
/// Seeds Referrals' own store with persons of realistic shape — ten events each: a referral from the CCAS to the
/// CAF reviewed, accepted and closed with the right opened, a referral to France services accepted, the CAF's
/// contact person, two accompaniments and one earlier read — plus the gate's copies that make those facts exist
/// (grants to the CCAS and the CAF, registration and referral involvement, the contact person, the person's name,
/// an appointment, a companion for one person in three). Events go in by Marten's bulk append (COPY); the read
/// models are then built by rebuilding the follow-up projections, which is itself measured.
/// </summary>
public static class FollowUpSeed
{
    public const int EventsPerPerson = 10;

    private static readonly Actor SocialWorker = new("bench-social-worker", "Travailleur social (banc)", DemoData.CcasNarbonne);
    private static readonly Actor CafAgent = new("bench-caf-agent", "Agent CAF (banc)", DemoData.CafAude);
    private static readonly Actor AdviserActor = new("bench-adviser", "Conseiller (banc)", DemoData.FranceServicesNarbonne);

    /// <summary>Removes what an earlier run seeded (and the reads it caused), so that sizes are exact.</summary>
    public static async Task Clean(BenchSettings settings)
    {
        await using var connection = new NpgsqlConnection(settings.SystemDatabase);
        await connection.OpenAsync();
        var statements = new[]
        {
            "with gone as (delete from referrals.mt_events where data->>'personId' like $1 returning stream_id) " +
            "delete from referrals.mt_streams where id in (select stream_id from gone)",
            "delete from referrals.mt_doc_referraldetails where data->>'personId' like $1",
            "delete from referrals.mt_doc_contactpersonhistory where data->>'personId' like $1",
            "delete from referrals.mt_doc_accompanimentdetails where data->>'personId' like $1",
            "delete from referrals.mt_doc_appointmentcopy where data->>'personId' like $1",
            "delete from referrals.mt_doc_grantcopy where data->>'personId' like $1",
            "delete from referrals.mt_doc_companioncopy where data->>'personId' like $1",
            "delete from referrals.mt_doc_involvementrecord where data->>'personId' like $1",
            "delete from referrals.mt_doc_personnamecopy where id::text like $1",
            "delete from consents.mt_doc_accesslogentry where data->>'personId' like 'be9c5eed-0001-%' and $1 = $1",
        };
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
            command.Parameters.Add(new NpgsqlParameter { Value = Like });
            try
            {
                await command.ExecuteNonQueryAsync();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // A table the service has not created yet holds nothing to clean.
            }
        }
    }

    /// <summary>Seeds persons [from, to): their events by bulk append, their copies by bulk insert.</summary>
    public static async Task Seed(IDocumentStore store, long from, long to)
    {
        const int Chunk = 5_000;
        var registry = (IEventRegistry)((StoreOptions)store.Options).Events;
        for (var first = from; first < to; first += Chunk)
        {
            var last = Math.Min(to, first + Chunk);
            var streams = new List<StreamAction>((int)(last - first) * 6);
            var grants = new List<GrantCopy>();
            var involvements = new List<InvolvementRecord>();
            var names = new List<PersonNameCopy>();
            var appointments = new List<AppointmentCopy>();
            var companions = new List<CompanionCopy>();
            for (var n = first; n < last; n++) Person(n, registry, streams, grants, involvements, names, appointments, companions);
            await store.BulkInsertEventsAsync(streams, 10_000);
            await store.BulkInsertAsync(grants);
            await store.BulkInsertAsync(involvements);
            await store.BulkInsertAsync(names);
            await store.BulkInsertAsync(appointments);
            if (companions.Count > 0) await store.BulkInsertAsync(companions);
        }
    }

    public static Guid PersonId(long n) => Of(Kind.Person, n);

    private static void Person(long n, IEventRegistry registry, List<StreamAction> streams, List<GrantCopy> grants, List<InvolvementRecord> involvements,
        List<PersonNameCopy> names, List<AppointmentCopy> appointments, List<CompanionCopy> companions)
    {
        var person = PersonId(n);
        var at = DateTimeOffset.UtcNow.AddDays(-200 + (n % 150)).AddMinutes(n % 600);
        var caf = Of(Kind.Referral, n);
        var fs = Of(Kind.SecondReferral, n);
        const string Need = "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits";
        var due = DateOnly.FromDateTime(at.UtcDateTime).AddDays(30);

        streams.Add(StreamAction.Start(registry, caf,
            new ReferralSent(caf, person, DemoData.CcasNarbonne, DemoData.CafAude, null, Need, TargetRight.PrimeActivite,
                "Reprise d'activité à temps partiel, dossier à compléter", Urgency.Normal, due, null, SocialWorker, at),
            new ReferralReviewStarted(caf, person, DemoData.CafAude, CafAgent, at.AddDays(1)),
            new ReferralAccepted(caf, person, DemoData.CafAude, "Rendez-vous proposé", CafAgent, at.AddDays(2)),
            new ReferralClosed(caf, person, DemoData.CafAude, ClosingOutcome.RightOpened, TargetRight.PrimeActivite, null, CafAgent, at.AddDays(20))));
        streams.Add(StreamAction.Start(registry, fs,
            new ReferralSent(fs, person, DemoData.CcasNarbonne, DemoData.FranceServicesNarbonne, null, Need, null,
                "Aide aux démarches en ligne", Urgency.Normal, due, null, SocialWorker, at.AddDays(3)),
            new ReferralAccepted(fs, person, DemoData.FranceServicesNarbonne, null, AdviserActor, at.AddDays(4))));
        var member = Of(Kind.Member, n % 50);
        streams.Add(StreamAction.Start(registry, ContactPersonIds.Of(person, DemoData.CafAude),
            new ContactPersonDesignated(person, DemoData.CafAude, member, "Référent CAF " + (n % 50), CafAgent, at.AddDays(2))));
        var a1 = Of(Kind.Accompaniment, n);
        var a2 = Of(Kind.SecondAccompaniment, n);
        var author = new AccompanimentAuthor(SocialWorker.Subject, SocialWorker.Name, DemoData.CcasNarbonne, null);
        streams.Add(StreamAction.Start(registry, a1, new AccompanimentLogged(a1, person, author, AccompanimentKind.AccompaniedToAppointment,
            DateOnly.FromDateTime(at.UtcDateTime).AddDays(5), DemoData.CafAude, "CAF de l'Aude", "Accompagnement au rendez-vous", at.AddDays(5))));
        streams.Add(StreamAction.Start(registry, a2, new AccompanimentLogged(a2, person, author, AccompanimentKind.HelpedOnlineProcedure,
            DateOnly.FromDateTime(at.UtcDateTime).AddDays(6), null, null, "Aide à la déclaration trimestrielle", at.AddDays(6))));
        var access = Of(Kind.Access, n);
        streams.Add(StreamAction.Start(registry, access, new PersonDataRead(access, person, SocialWorker.Subject, SocialWorker.Name,
            DemoData.CcasNarbonne, RoleCategories.SocialWorker, "referrals", "GET /persons/{personId:guid}/follow-up", [.. Categories.All], [], Bases.Consent,
            Of(Kind.CcasConsent, n))));

        var until = DateTimeOffset.UtcNow.AddYears(1);
        grants.Add(new GrantCopy(Of(Kind.CcasConsent, n), person, DemoData.CcasNarbonne, [.. Categories.All], Purposes.FollowUpCoordination,
            at.AddDays(-1), until, null, null, true));
        grants.Add(new GrantCopy(Of(Kind.CafConsent, n), person, DemoData.CafAude, [.. Pool.CafCategories], Purposes.FollowUpCoordination,
            at.AddDays(-1), until, null, null, true));
        involvements.Add(Involvement(person, DemoData.CcasNarbonne, InvolvementKind.Registered, null, at.AddDays(-1)));
        involvements.Add(Involvement(person, DemoData.CcasNarbonne, InvolvementKind.ReferralSender, caf, at));
        involvements.Add(Involvement(person, DemoData.CafAude, InvolvementKind.ReferralReceiver, caf, at));
        involvements.Add(Involvement(person, DemoData.CcasNarbonne, InvolvementKind.ReferralSender, fs, at.AddDays(3)));
        involvements.Add(Involvement(person, DemoData.FranceServicesNarbonne, InvolvementKind.ReferralReceiver, fs, at.AddDays(3)));
        involvements.Add(Involvement(person, DemoData.CafAude, InvolvementKind.ContactPerson, member, at.AddDays(2)));
        names.Add(new PersonNameCopy(person, $"Personne {n} (banc)", DemoData.CcasNarbonne, at.AddDays(-1)));
        var appointmentAt = new DateTimeOffset(at.AddDays(10).UtcDateTime.Date.AddHours(9), TimeSpan.Zero);
        appointments.Add(new AppointmentCopy(Of(Kind.Appointment, n), person, DemoData.CafAude, DemoData.FranceServicesNarbonne, caf, null,
            appointmentAt, appointmentAt.AddMinutes(30), "in_person", "prime d'activité", AppointmentState.Attended, null, null, null, true,
            at.AddDays(8), appointmentAt.AddMinutes(30)));
        if (n % 3 == 0)
        {
            companions.Add(new CompanionCopy(Of(Kind.Companion, n), person, null, "Proche " + n, "family", true, false,
                [Categories.Appointments, Categories.Contacts], null, null, true));
        }
    }

    private static InvolvementRecord Involvement(Guid person, Guid body, InvolvementKind kind, Guid? item, DateTimeOffset at) =>
        new(InvolvementRecord.KeyOf(person, body, kind, item), person, body, kind, item, ItemOnly: false, Active: true, at);
}
