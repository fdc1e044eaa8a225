using Coordination.ServiceDefaults;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Persistence;
using Appointments.Api;
using Appointments.Api.Messaging;

var builder = WebApplication.CreateBuilder(args);
var service = AppointmentsApi.Service;

builder.AddServiceDefaults(service);
builder.AddCoordinationMarten(service, _ => { });
builder.AddCoordinationMessaging<AppointmentsContracts>(service, typeof(AppointmentsApi).Assembly);

var app = builder.Build();
app.UseServiceDefaults();

await app.RunServiceAsync();
