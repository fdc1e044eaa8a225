using Coordination.Secrecy.Gate;
using Coordination.Secrecy.Gate.Privacy;
using Coordination.ServiceDefaults;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Persistence;
using Referrals.Api;
using Referrals.Api.Messaging;

var builder = WebApplication.CreateBuilder(args);
var service = ReferralsApi.Service;

builder.AddServiceDefaults(service);
// Generic plans (ADR 0084): every query here looks documents up by id, person or body, or pages a body's referrals;
// none has a parameter whose value would change the best plan.
builder.AddCoordinationMarten(service, opts =>
{
    opts.AddSecrecyGate();
    ReferralsModel.Configure(opts);
}, genericPlans: ReferralsApi.GenericPlans);
// Referrals writes the involvement its own referrals and contact persons establish in its own transactions;
// the other facts §4 needs come from the services that own them.
builder.AddCoordinationMessaging<ReferralsContracts>(service, typeof(ReferralsApi).Assembly, bus => bus.AddCopyConsumers(
    CopySet.Grants | CopySet.Companions | CopySet.Bodies | CopySet.RegistrationInvolvement | CopySet.AppointmentInvolvement));
builder.Services.AddSecrecyGate();
// The recorded reads follow the access log's retention limit (docs/adr/0072).
builder.Services.AddAccessTrailRetention();
builder.AddReferrals();

var app = builder.Build();
app.UseServiceDefaults();
app.MapReferrals();

await app.RunServiceAsync();
