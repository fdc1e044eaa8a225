using Coordination.ServiceDefaults.Persistence;
using Coordination.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Platform.Tests;

/// <summary>
/// The five services share one database, each in its own schema. Nodes of one service migrate its schema one at
/// a time under an advisory lock; that lock must be the service's own, or a long migration of one service stops
/// the others from starting (seen: "Unable to attain the global lock in time to apply database changes" from
/// Identity and Consents while Appointments added columns to 120 000 slots).
/// </summary>
public sealed class SchemaMigrationTests(AllServicesFixture fixture) : IClassFixture<AllServicesFixture>
{
    [Fact]
    public void EachService_MigratesItsSchemaUnderALockOfItsOwn_TheSameOnEveryNode()
    {
        var stores = fixture.Hosts.Select(h => (DocumentStore)h.Services.GetRequiredService<IDocumentStore>()).ToList();
        Assert.Equal(5, stores.Count);
        var locks = stores.Select(s => s.Options.ApplyChangesLockId).ToList();
        Assert.Equal(locks.Count, locks.Distinct().Count());
        // Another node of the same service computes the same id: it depends on the schema only, not on the process.
        Assert.All(stores, s => Assert.Equal(MartenSetup.ApplyChangesLockIdFor(s.Options.DatabaseSchemaName), s.Options.ApplyChangesLockId));
        Assert.DoesNotContain(4004, locks);
    }
}
