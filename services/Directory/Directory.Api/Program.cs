using Coordination.ServiceDefaults;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Persistence;
using Coordination.ServiceDefaults.Security;
using Directory.Api;
using Directory.Api.Bodies;
using Directory.Api.Demo;
using Directory.Api.Messaging;

var builder = WebApplication.CreateBuilder(args);
var service = DirectoryApi.Service;

builder.AddServiceDefaults(service);
builder.AddCoordinationMarten(service, BodyModel.Configure);
builder.AddCoordinationMessaging<DirectoryContracts>(service, typeof(DirectoryApi).Assembly);
builder.AddDemoSeed();

var app = builder.Build();
app.UseServiceDefaults();

app.MapGroup("").RequireAuthorization(AuthSetup.ScopePolicy).WithTags("Bodies").MapBodies();

await app.RunServiceAsync();
