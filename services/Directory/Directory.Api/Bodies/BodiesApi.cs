using Directory.Api.Bodies.GettingDetails;
using Directory.Api.Bodies.Registering;
using Directory.Api.Bodies.Searching;
using Directory.Api.Bodies.Updating;

namespace Directory.Api.Bodies;

public static class BodiesApi
{
    public static RouteGroupBuilder MapBodies(this RouteGroupBuilder group) => group
        .MapRegisterBody()
        .MapGetBody()
        .MapUpdateBody()
        .MapSearchBodies();
}
