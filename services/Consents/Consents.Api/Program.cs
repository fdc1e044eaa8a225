using Consents.Api;
using Consents.Api.Messaging;
using Coordination.Secrecy.Gate;
using Coordination.ServiceDefaults;
using Coordination.ServiceDefaults.Persistence;
using Coordination.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);
var service = ConsentsApi.Service;

builder.AddServiceDefaults(service);
builder.AddCoordinationMarten(service, opts =>
{
    opts.AddSecrecyGate(ownsConsents: true);
    ConsentsModel.Configure(opts);
});
// Consents owns persons, grants and companions (its own transactions keep the gate's copies of them); the
// other facts §4 needs come from the services that own them.
builder.AddCoordinationMessaging<ConsentsContracts>(service, typeof(ConsentsApi).Assembly, bus => bus.AddCopyConsumers(
    CopySet.Bodies | CopySet.ReferralInvolvement | CopySet.ContactPersonInvolvement | CopySet.AppointmentInvolvement));
builder.Services.AddSecrecyGate();
builder.AddConsents();

var app = builder.Build();
app.UseServiceDefaults();
app.MapConsents();

await app.RunServiceAsync();
