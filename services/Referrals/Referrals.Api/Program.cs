using Coordination.Secrecy.Gate;
using Coordination.ServiceDefaults;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Persistence;
using Referrals.Api;
using Referrals.Api.Messaging;

var builder = WebApplication.CreateBuilder(args);
var service = ReferralsApi.Service;

builder.AddServiceDefaults(service);
builder.AddCoordinationMarten(service, opts => opts.AddSecrecyGate());
builder.AddCoordinationMessaging<ReferralsContracts>(service, typeof(ReferralsApi).Assembly, bus => bus.AddCopyConsumers(
    CopySet.Grants | CopySet.Companions | CopySet.Bodies | CopySet.RegistrationInvolvement | CopySet.AppointmentInvolvement));
builder.Services.AddSecrecyGate();

var app = builder.Build();
app.UseServiceDefaults();

await app.RunServiceAsync();
