using Coordination.ServiceDefaults;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Persistence;
using Coordination.ServiceDefaults.Security;
using Directory.Api;
using Directory.Api.Bodies;
using Directory.Api.DataInclusion;
using Directory.Api.Demo;
using Directory.Api.Members;
using Directory.Api.Messaging;
using Directory.Api.Places;
using Directory.Api.ServiceOffers;

var builder = WebApplication.CreateBuilder(args);
var service = DirectoryApi.Service;

builder.AddServiceDefaults(service);
builder.Services.AddDirectoryPolicies();
builder.AddCoordinationMarten(service, DirectoryModel.Configure);
builder.AddCoordinationMessaging<DirectoryContracts>(service, typeof(DirectoryApi).Assembly);
builder.AddDemoSeed();

var app = builder.Build();
app.UseServiceDefaults();

var api = app.MapGroup("").RequireAuthorization(AuthSetup.ScopePolicy, Access.ReaderPolicy);
api.MapGroup("").WithTags(DirectoryApi.BodiesTag).MapBodies();
api.MapGroup("").WithTags(DirectoryApi.ServicesTag).MapServiceOffers();
api.MapGroup("").WithTags(DirectoryApi.PlacesTag).MapPlaces();
api.MapGroup("").WithTags(DirectoryApi.MembersTag).MapMembers();
api.MapGroup("").WithTags(DirectoryApi.DataInclusionTag).MapDataInclusion();

await app.RunServiceAsync();
