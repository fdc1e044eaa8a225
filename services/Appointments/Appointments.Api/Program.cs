using Appointments.Api;
using Appointments.Api.Messaging;
using Appointments.Api.Webhooks.Delivering;
using Appointments.Api.Webhooks.Outbox;
using Coordination.Secrecy.Gate;
using Coordination.Secrecy.Gate.Privacy;
using Coordination.ServiceDefaults;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Persistence;

var builder = WebApplication.CreateBuilder(args);
var service = AppointmentsApi.Service;

builder.AddServiceDefaults(service);
builder.AddCoordinationMarten(service, opts =>
    {
        opts.AddSecrecyGate();
        AppointmentsModel.Configure(opts);
    })
    // The webhooks' outbox runs under the async daemon (HotCold): one node numbers the deliveries.
    .AddSubscriptionWithServices<WebhookOutbox>(ServiceLifetime.Singleton, o => o.Name = WebhookOutbox.SubscriptionName);
// Appointments writes the involvement its own bookings establish in its own transactions; the other facts §4
// needs come from the services that own them. The referral contracts' involvement is written with the referral copy
// (Copies/ReferralCopies.cs), in one transaction.
builder.AddCoordinationMessaging<AppointmentsContracts>(service, typeof(AppointmentsApi).Assembly, bus => bus.AddCopyConsumers(
    CopySet.Grants | CopySet.Companions | CopySet.Bodies | CopySet.RegistrationInvolvement | CopySet.ContactPersonInvolvement));
builder.Services.AddSecrecyGate();
// The recorded reads follow the access log's retention limit (docs/adr/0072).
builder.Services.AddAccessTrailRetention();
builder.AddWebhooks();

var app = builder.Build();
app.UseServiceDefaults();
app.MapAppointments();

await app.RunServiceAsync();
