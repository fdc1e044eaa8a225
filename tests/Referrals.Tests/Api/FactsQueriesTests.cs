using Consents.Contracts;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.Secrecy.Gate.Privacy;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Api.Access;
using Referrals.Api.Accompaniments.Listing;
using Referrals.Api.ContactPersons.Listing;
using Referrals.Api.Copies;
using Referrals.Api.FollowUp.GettingFollowUp;
using Referrals.Api.Referrals.GettingDetails;
using Xunit;

namespace Referrals.Tests.Api;

/// <summary>
/// The facts' batch is written in SQL (ADR 0082): each condition must select exactly what its LINQ form selects,
/// over persons whose copies include what the conditions tell apart (a grant and a companion known, a grant and a
/// companion whose end arrived before them, an erased person, an appointment copy not yet known).
/// </summary>
[Collection(ReferralsCollection.Name)]
public sealed class FactsQueriesTests(ReferralsFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task EachSqlCondition_SelectsWhatItsLinqFormSelects()
    {
        var followed = await PersonWithGrants(Caf);
        await SendReferral(SocialWorker, followed, Caf);
        await ChooseCompanion(followed, PeerWorker, [.. FullCategories]);
        var unknownGrant = Guid.CreateVersion7();
        await Publish(new ConsentRevoked(unknownGrant, followed, Pairs, "person", DateTimeOffset.UtcNow));
        await Eventually(async s => (await s.LoadAsync<GrantCopy>(unknownGrant))?.Known == false, "the grant copy known only by its end");
        var unknownCompanion = Guid.CreateVersion7();
        await Publish(new CompanionRemoved(unknownCompanion, followed, DateTimeOffset.UtcNow));
        await Eventually(async s => (await s.LoadAsync<CompanionCopy>(unknownCompanion))?.Known == false, "the companion copy known only by its end");
        var other = await PersonWithGrants(Pairs);
        var erased = Guid.CreateVersion7();
        await using (var write = Store.LightweightSession())
        {
            write.Store(new ErasedPerson(erased, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
            await write.SaveChangesAsync();
        }

        await using var session = Store.QuerySession();
        var all = await session.Query<InvolvementRecord>().Select(i => i.PersonId).Distinct().ToListAsync();
        Guid[] persons = [followed, other, erased, Guid.CreateVersion7(), .. all.Take(200)];

        var batch = session.CreateBatchQuery();
        var grants = batch.Query<GrantCopy>(FactsLoader.KnownGrantsOf, persons);
        var companions = batch.Query<CompanionCopy>(FactsLoader.KnownGrantsOf, persons);
        var involvements = batch.Query<InvolvementRecord>(FactsLoader.InvolvementsOf, persons);
        var erasedOnes = batch.Query<ErasedPerson>(FactsLoader.ErasedAmong, persons);
        await batch.Execute();

        Same(await session.Query<GrantCopy>().Where(g => g.Known && persons.Contains(g.PersonId)).Select(g => g.Id).ToListAsync(),
            (await grants).Select(g => g.Id), mustInclude: 2);
        Assert.DoesNotContain(unknownGrant, (await grants).Select(g => g.Id));
        Same(await session.Query<CompanionCopy>().Where(c => c.Known && persons.Contains(c.PersonId)).Select(c => c.Id).ToListAsync(),
            (await companions).Select(c => c.Id), mustInclude: 1);
        Assert.DoesNotContain(unknownCompanion, (await companions).Select(c => c.Id));
        Same(await session.Query<InvolvementRecord>().Where(i => persons.Contains(i.PersonId)).Select(i => i.Id).ToListAsync(),
            (await involvements).Select(i => i.Id), mustInclude: 3);
        Same(await session.Query<ErasedPerson>().Where(e => persons.Contains(e.Id)).Select(e => e.Id).ToListAsync(),
            (await erasedOnes).Select(e => e.Id), mustInclude: 1);

        // The follow-up's statements (ADR 0088): the same facts as the gate's own loader, the same documents as LINQ.
        var statements = Fixture.Referrals.Services.GetRequiredService<FollowUpStatements>();
        foreach (var person in persons.Take(40))
        {
            var (facts, docs) = await statements.LoadAsync(person, CancellationToken.None);
            var expected = await PersonFactsLoader.LoadAsync(session, person, CancellationToken.None);
            Same(expected.Grants.Select(g => g.ConsentId), facts.Grants.Select(g => g.ConsentId));
            Same(expected.Companions.Select(c => c.CompanionId), facts.Companions.Select(c => c.CompanionId));
            Same(expected.Involvements.Select(i => $"{i.BodyId} {i.Kind} {i.ItemId} {i.ItemOnly} {i.Active}"),
                facts.Involvements.Select(i => $"{i.BodyId} {i.Kind} {i.ItemId} {i.ItemOnly} {i.Active}"));
            Same(expected.SensitiveBodies, facts.SensitiveBodies);

            Assert.Equal((await session.LoadAsync<PersonNameCopy>(person))?.DisplayName, docs.Person?.DisplayName);
            Same(await session.Query<ReferralDetails>().Where(r => r.PersonId == person).Select(r => r.Id).ToListAsync(), docs.Referrals.Select(r => r.Id));
            Same(await session.Query<ContactPersonHistory>().Where(h => h.PersonId == person).Select(h => h.Id).ToListAsync(), docs.ContactPersons.Select(h => h.Id));
            Same(await session.Query<CompanionCopy>().Where(c => c.PersonId == person && c.Known).Select(c => c.Id).ToListAsync(), docs.Companions.Select(c => c.Id));
            Same(await session.Query<AppointmentCopy>().Where(a => a.PersonId == person && a.Known).Select(a => a.Id).ToListAsync(),
                docs.Appointments.Select(a => a.Id));
            Same(await session.Query<AccompanimentDetails>().Where(a => a.PersonId == person).Select(a => a.Id).ToListAsync(),
                docs.Accompaniments.Select(a => a.Id));
            var involvedBodies = (await session.Query<InvolvementRecord>().Where(i => i.PersonId == person).ToListAsync()).Select(i => i.BodyId).ToHashSet();
            Same((await session.Query<BodyCopy>().ToListAsync()).Where(b => involvedBodies.Contains(b.Id)).Select(b => $"{b.Id} {b.Name}"),
                docs.BodyNames.Select(b => $"{b.Key} {b.Value}"));
        }
        var ofFollowed = await statements.LoadAsync(followed, CancellationToken.None);
        Assert.NotEmpty(ofFollowed.Documents.Referrals);
        Assert.NotEmpty(ofFollowed.Documents.BodyNames);
        Assert.NotEmpty(ofFollowed.Documents.Companions);
        Assert.NotEmpty(ofFollowed.Facts.Grants);
        Assert.NotEmpty(ofFollowed.Facts.Involvements);

        // Once the person is erased, the facts leave nothing to rely on, as the gate's loader does.
        await using (var write = Store.LightweightSession())
        {
            write.Store(new ErasedPerson(followed, DateTimeOffset.UtcNow, null));
            await write.SaveChangesAsync();
        }
        var afterErasure = (await statements.LoadAsync(followed, CancellationToken.None)).Facts;
        Assert.Empty(afterErasure.Grants);
        Assert.Empty(afterErasure.Companions);
        Assert.Empty(afterErasure.Involvements);
        Assert.NotEmpty(await session.Query<ReferralDetails>().Where(r => r.PersonId == followed).ToListAsync());
    }

    [Fact]
    public async Task GeneralInvolvementOf_FindsOneActiveRecordNotRestrictedToAnItem_OrNone()
    {
        // The send command's lookup (ADR 0085): whether a body is involved with a person, from at most one record.
        var person = Guid.CreateVersion7();
        Guid itemOnly = Guid.CreateVersion7(), ended = Guid.CreateVersion7(), general = Guid.CreateVersion7(), none = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        InvolvementRecord Record(Guid body, InvolvementKind kind, Guid? item, bool onlyItem, bool active) =>
            new(InvolvementRecord.KeyOf(person, body, kind, item), person, body, kind, item, onlyItem, active, now);
        await using (var write = Store.LightweightSession())
        {
            write.Store(
                Record(itemOnly, InvolvementKind.ReferralReceiver, Guid.CreateVersion7(), onlyItem: true, active: true),
                Record(ended, InvolvementKind.ContactPerson, null, onlyItem: false, active: false),
                Record(general, InvolvementKind.ReferralSender, Guid.CreateVersion7(), onlyItem: false, active: true),
                Record(general, InvolvementKind.ReferralReceiver, Guid.CreateVersion7(), onlyItem: false, active: true),
                Record(general, InvolvementKind.ReferralReceiver, Guid.CreateVersion7(), onlyItem: true, active: true),
                // Another person's general record with the body that has none with this person.
                new InvolvementRecord(InvolvementRecord.KeyOf(Guid.CreateVersion7(), none, InvolvementKind.Registered, null), Guid.CreateVersion7(), none,
                    InvolvementKind.Registered, null, false, true, now));
            await write.SaveChangesAsync();
        }

        await using var session = Store.QuerySession();
        foreach (var (body, expected) in new[] { (itemOnly, false), (ended, false), (general, true), (none, false) })
        {
            var batch = session.CreateBatchQuery();
            var found = batch.Query<InvolvementRecord>(FactsLoader.GeneralInvolvementOf, new[] { person }, body);
            await batch.Execute();
            var linq = await session.Query<InvolvementRecord>().Where(i => i.PersonId == person && i.BodyId == body && i.Active && !i.ItemOnly)
                .Select(i => i.Id).ToListAsync();
            Assert.Equal(expected ? 1 : 0, (await found).Count);
            Assert.Equal(expected, linq.Count > 0);
            Assert.All(await found, r => Assert.Contains(r.Id, linq));
        }
    }

    private static void Same<T>(IEnumerable<T> linq, IEnumerable<T> sql, int mustInclude = 0)
    {
        var expected = linq.OrderBy(x => x).ToList();
        Assert.True(expected.Count >= mustInclude, $"the LINQ form found {expected.Count}, the test needs at least {mustInclude}");
        Assert.Equal(expected, sql.OrderBy(x => x).ToList());
    }
}
