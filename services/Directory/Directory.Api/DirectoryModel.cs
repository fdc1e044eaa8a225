using Directory.Api.Bodies;
using Directory.Api.Bodies.GettingDetails;
using Directory.Api.Bodies.Searching;
using Directory.Api.Members;
using Directory.Api.Members.Listing;
using Directory.Api.PartnerContacts.GettingHistory;
using Directory.Api.Places;
using Directory.Api.Places.Listing;
using Directory.Api.ServiceOffers;
using Directory.Api.ServiceOffers.GettingDetails;
using JasperFx.Events.Projections;
using Marten;

namespace Directory.Api;

/// <summary>Directory's events and read models. Every projection is inline: a read right after a write sees it.</summary>
public static class DirectoryModel
{
    public static void Configure(StoreOptions options)
    {
        options.Events.AddEventTypes([
            typeof(BodyRegistered), typeof(BodyUpdated), typeof(PartnerContactDesignated), typeof(PartnerContactEnded),
            typeof(ServiceListed), typeof(ServiceUpdated), typeof(ServiceCapacityChanged),
            typeof(PlaceAdded), typeof(MemberJoined), typeof(MemberLeft),
        ]);

        options.Projections.Add<BodyDetailsProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<PartnerContactHistoryProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<ServiceDetailsProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<PlaceDetailsProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<MemberDetailsProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<BodySearchProjection>(ProjectionLifecycle.Inline);

        // Search answers from these documents: containment (@>) on the whole JSON under GIN (jsonb_path_ops).
        options.Schema.For<BodySearchEntry>().DocumentAlias(BodySearch.Alias).GinIndexJsonData();
        options.Schema.For<ServiceDetails>().Duplicate(s => s.BodyId).GinIndexJsonData();
        options.Schema.For<PlaceDetails>().Duplicate(p => p.BodyId);
        options.Schema.For<MemberDetails>().Duplicate(m => m.BodyId);
        options.Schema.For<ActiveMembership>();
    }
}
