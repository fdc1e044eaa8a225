using Directory.Api.Bodies.GettingDetails;
using Directory.Api.Bodies.Registering;

namespace Directory.Api.Bodies;

public static class BodiesApi
{
    public static RouteGroupBuilder MapBodies(this RouteGroupBuilder group) => group
        .MapRegisterBody()
        .MapGetBody();
}
