using Consents.Contracts;
using Coordination.Secrecy.Gate.Copies;
using Coordination.Secrecy.Gate.Privacy;
using Marten;
using Referrals.Api.Access;
using Referrals.Api.Accompaniments.Listing;
using Referrals.Api.ContactPersons.Listing;
using Referrals.Api.Copies;
using Referrals.Api.FollowUp.GettingFollowUp;
using Referrals.Api.Referrals.GettingDetails;
using Xunit;

namespace Referrals.Tests.Api;

/// <summary>
/// The follow-up's batch is written in SQL (ADR 0082): each condition must select exactly what its LINQ form selects,
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

        foreach (var person in persons.Take(40))
        {
            var perPerson = session.CreateBatchQuery();
            var referrals = perPerson.Query<ReferralDetails>(GetFollowUpEndpoint.OfPerson, person);
            var contacts = perPerson.Query<ContactPersonHistory>(GetFollowUpEndpoint.OfPerson, person);
            var appointments = perPerson.Query<AppointmentCopy>(GetFollowUpEndpoint.KnownOfPerson, person);
            var accompaniments = perPerson.Query<AccompanimentDetails>(GetFollowUpEndpoint.OfPerson, person);
            await perPerson.Execute();
            Same(await session.Query<ReferralDetails>().Where(r => r.PersonId == person).Select(r => r.Id).ToListAsync(), (await referrals).Select(r => r.Id));
            Same(await session.Query<ContactPersonHistory>().Where(h => h.PersonId == person).Select(h => h.Id).ToListAsync(), (await contacts).Select(h => h.Id));
            Same(await session.Query<AppointmentCopy>().Where(a => a.PersonId == person && a.Known).Select(a => a.Id).ToListAsync(),
                (await appointments).Select(a => a.Id));
            Same(await session.Query<AccompanimentDetails>().Where(a => a.PersonId == person).Select(a => a.Id).ToListAsync(),
                (await accompaniments).Select(a => a.Id));
        }
        Assert.NotEmpty(await session.Query<ReferralDetails>().Where(r => r.PersonId == followed).ToListAsync());
    }

    private static void Same<T>(IEnumerable<T> linq, IEnumerable<T> sql, int mustInclude = 0)
    {
        var expected = linq.OrderBy(x => x).ToList();
        Assert.True(expected.Count >= mustInclude, $"the LINQ form found {expected.Count}, the test needs at least {mustInclude}");
        Assert.Equal(expected, sql.OrderBy(x => x).ToList());
    }
}
