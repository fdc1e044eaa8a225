using Directory.Api.Places.Adding;
using Directory.Api.Places.Listing;

namespace Directory.Api.Places;

public static class PlacesApi
{
    public static RouteGroupBuilder MapPlaces(this RouteGroupBuilder group) => group
        .MapAddPlace()
        .MapListPlaces();
}
