using Directory.Api.Bodies.GettingDetails;
using JasperFx.Events.Projections;
using Marten;

namespace Directory.Api.Bodies;

public static class BodyModel
{
    public static void Configure(StoreOptions options)
    {
        options.Events.AddEventType<BodyRegistered>();
        options.Projections.Add<BodyDetailsProjection>(ProjectionLifecycle.Inline);
    }
}
