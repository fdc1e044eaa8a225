using Directory.Api.ServiceOffers.ChangingCapacity;
using Directory.Api.ServiceOffers.GettingDetails;
using Directory.Api.ServiceOffers.Listing;
using Directory.Api.ServiceOffers.Searching;
using Directory.Api.ServiceOffers.Updating;

namespace Directory.Api.ServiceOffers;

public static class ServicesApi
{
    public static RouteGroupBuilder MapServiceOffers(this RouteGroupBuilder group) => group
        .MapListService()
        .MapUpdateService()
        .MapChangeCapacity()
        .MapGetServices()
        .MapSearchServices();
}
