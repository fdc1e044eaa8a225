using Coordination.ServiceDefaults;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Persistence;
using Consents.Api;
using Consents.Api.Messaging;

var builder = WebApplication.CreateBuilder(args);
var service = ConsentsApi.Service;

builder.AddServiceDefaults(service);
builder.AddCoordinationMarten(service, _ => { });
builder.AddCoordinationMessaging<ConsentsContracts>(service, typeof(ConsentsApi).Assembly);

var app = builder.Build();
app.UseServiceDefaults();

await app.RunServiceAsync();
