using System.Text.RegularExpressions;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.Secrecy.Gate.Privacy;
using Coordination.ServiceDefaults.Persistence;
using Marten;
using Npgsql;
using Polly;
using Referrals.Api.Access;
using Referrals.Api.Accompaniments.Listing;
using Referrals.Api.ContactPersons.Listing;
using Referrals.Api.Copies;
using Referrals.Api.Referrals.GettingDetails;

namespace Referrals.Api.FollowUp.GettingFollowUp;

/// <summary>
/// Everything the follow-up of one person needs — the secrecy facts (the same copies as <see cref="FactsLoader"/>), the
/// person's documents and the names of the bodies involved — in one round trip (ADR 0088). The statements are the SQL
/// Marten's LINQ provider writes for them, taken once when the singleton is built (at the first read); each read sends
/// them as one Npgsql batch with the person's id and reads the rows with the store's serializer. Marten's batch query
/// built, parsed and typed the same text anew on every read: a tenth to a fifth of the service's time per read.
/// </summary>
public sealed class FollowUpStatements
{
    private enum Slot { Person, PersonArray }

    private readonly (string Text, Slot[] Slots)[] _statements;
    private readonly IDocumentStore _store;
    private readonly ResiliencePipeline _retry = new ResiliencePipelineBuilder().AddRetry(MartenSetup.QuickRetry()).Build();

    public FollowUpStatements(IDocumentStore store)
    {
        _store = store;
        using var session = store.QuerySession();
        var probe = Guid.Empty;
        var probes = new[] { probe };
        var schema = store.Options.Schema;
        // The order here is the order LoadAsync reads the results in.
        NpgsqlCommand[] commands =
        [
            session.Query<GrantCopy>().Where(g => g.Known && probes.Contains(g.PersonId)).ToCommand(),
            session.Query<CompanionCopy>().Where(c => c.Known && probes.Contains(c.PersonId)).ToCommand(),
            session.Query<InvolvementRecord>().Where(i => probes.Contains(i.PersonId)).ToCommand(),
            // Only the ids: every read needs the sensitive bodies, not their documents.
            session.Query<BodyCopy>().Where(b => b.Sensitive).Select(b => b.Id).ToCommand(),
            session.Query<ErasedPerson>().Where(e => e.Id == probe).ToCommand(),
            // Every body an item names is involved with the person. A statement of its own rather than Marten's Include,
            // which creates and drops a temporary table on every read.
            new NpgsqlCommand($"select d.data from {schema.For<BodyCopy>()} as d where d.id in " +
                $"(select CAST(i.data ->> 'bodyId' as uuid) from {schema.For<InvolvementRecord>()} as i " +
                "where CAST(i.data ->> 'personId' as uuid) = ANY(:p0))") { Parameters = { new NpgsqlParameter("p0", probes) } },
            session.Query<PersonNameCopy>().Where(p => p.Id == probe).ToCommand(),
            session.Query<ReferralDetails>().Where(r => r.PersonId == probe).ToCommand(),
            session.Query<ContactPersonHistory>().Where(h => h.PersonId == probe).ToCommand(),
            session.Query<AppointmentCopy>().Where(a => a.PersonId == probe && a.Known).ToCommand(),
            session.Query<AccompanimentDetails>().Where(a => a.PersonId == probe).ToCommand(),
        ];
        _statements = commands.Select(c => (Positional(c), c.Parameters.Select(p => p.Value switch
        {
            Guid g when g == probe => Slot.Person,
            Guid[] { Length: 1 } a when a[0] == probe => Slot.PersonArray,
            // A LINQ form that came to carry another parameter would be sent with the wrong values: the singleton fails to
            // build, so every follow-up read fails loudly (and FactsQueriesTests with it) instead.
            _ => throw new InvalidOperationException($"The follow-up statement '{c.CommandText}' has a parameter other than the person ({p.ParameterName})."),
        }).ToArray())).ToArray();
    }

    // Marten names its parameters (:p0); positional ones ($1) spare Npgsql rewriting the text on every execution.
    private static string Positional(NpgsqlCommand command)
    {
        var text = command.CommandText;
        for (var i = command.Parameters.Count - 1; i >= 0; i--)
            text = Regex.Replace(text, $@"[:@]{Regex.Escape(command.Parameters[i].ParameterName)}\b", $"${i + 1}");
        return text;
    }

    public ValueTask<(PersonFacts Facts, FollowUpDocuments Documents)> LoadAsync(Guid personId, CancellationToken ct) =>
        _retry.ExecuteAsync(static (state, token) => state.Self.ReadAsync(state.PersonId, token), (Self: this, PersonId: personId), ct);

    /// <summary>The statements for one person, as one batch on <paramref name="connection"/> (the benchmark's raw read sends the same).</summary>
    public NpgsqlBatch Batch(NpgsqlConnection connection, Guid personId)
    {
        var batch = new NpgsqlBatch(connection);
        var ids = new[] { personId };
        foreach (var (text, slots) in _statements)
        {
            var command = new NpgsqlBatchCommand(text);
            foreach (var slot in slots)
            {
                command.Parameters.Add(slot == Slot.Person ? new NpgsqlParameter<Guid> { TypedValue = personId } : new NpgsqlParameter<Guid[]> { TypedValue = ids });
            }
            batch.BatchCommands.Add(command);
        }
        return batch;
    }

    private async ValueTask<(PersonFacts Facts, FollowUpDocuments Documents)> ReadAsync(Guid personId, CancellationToken ct)
    {
        await using var connection = _store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var batch = Batch(connection, personId);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var serializer = _store.Options.Serializer();
        async Task<List<T>> Documents<T>()
        {
            var list = new List<T>();
            var data = reader.GetOrdinal("data");
            while (await reader.ReadAsync(ct)) list.Add(serializer.FromJson<T>(reader, data));
            await reader.NextResultAsync(ct);
            return list;
        }

        var grants = await Documents<GrantCopy>();
        var companions = await Documents<CompanionCopy>();
        var involvements = await Documents<InvolvementRecord>();
        var sensitive = new List<Guid>();
        while (await reader.ReadAsync(ct)) sensitive.Add(reader.GetGuid(0));
        await reader.NextResultAsync(ct);
        var erased = (await Documents<ErasedPerson>()).Select(e => e.Id).ToList();
        var bodies = await Documents<BodyCopy>();
        var person = (await Documents<PersonNameCopy>()).SingleOrDefault();
        var referrals = await Documents<ReferralDetails>();
        var contacts = await Documents<ContactPersonHistory>();
        var appointments = await Documents<AppointmentCopy>();
        var accompaniments = await Documents<AccompanimentDetails>();

        // The facts are derived by the code every other read uses, so that the decision is the same.
        var facts = await new FactsLoader.Pending(Task.FromResult<IReadOnlyList<GrantCopy>>(grants),
            Task.FromResult<IReadOnlyList<CompanionCopy>>(companions), Task.FromResult<IReadOnlyList<InvolvementRecord>>(involvements),
            Task.FromResult<IReadOnlyList<Guid>>(sensitive), Task.FromResult<IReadOnlyList<Guid>>(erased)).For(personId);
        var documents = new FollowUpDocuments(personId, person, referrals, contacts, companions, appointments, accompaniments,
            bodies.ToDictionary(b => b.Id, b => b.Name));
        return (facts, documents);
    }
}
