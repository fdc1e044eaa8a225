using System.Net;
using Coordination.Secrecy.Gate.Privacy;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Referrals.Tests.Api;

/// <summary>
/// The reads Referrals records behind the person's access log follow the log's retention limit (12 months): the job
/// drops a read past it, stream and event, and keeps the recent ones.
/// </summary>
[Collection(ReferralsCollection.Name)]
public sealed class AccessTrailRetentionTests(ReferralsFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task AReadOlderThanTwelveMonths_IsDropped_ARecentOneIsKept()
    {
        var personId = await NewPerson(Ccas);
        await Grant(personId, Ccas);
        using var client = await As(SocialWorker);
        await Json(await Get(client, $"persons/{personId}/follow-up"), HttpStatusCode.OK);
        await Json(await Get(client, $"persons/{personId}/follow-up"), HttpStatusCode.OK);
        Assert.Equal(2, await AccessEvents(personId));

        var old = await Fixture.Database.Scalar<Guid>(
            $"select stream_id from referrals.mt_events where type = 'person_data_read' and data ->> 'personId' = '{personId}' order by seq_id limit 1");
        await Fixture.Database.Scalar<int>(
            $"with moved as (update referrals.mt_events set timestamp = now() - interval '12 months 1 day' where stream_id = '{old}' returning 1) select count(*)::int from moved");

        var dropped = await Fixture.Referrals.Services.GetRequiredService<AccessTrailRetentionJob>().RunOnceAsync(CancellationToken.None);

        Assert.True(dropped >= 1);
        Assert.Equal(1, await AccessEvents(personId));
        Assert.Equal(0, await Fixture.Database.Scalar<long>($"select count(*) from referrals.mt_streams where id = '{old}'"));
    }
}
