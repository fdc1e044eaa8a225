using Coordination.ServiceDefaults;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Persistence;
using Referrals.Api;
using Referrals.Api.LocalCopies;
using Referrals.Api.Messaging;

var builder = WebApplication.CreateBuilder(args);
var service = ReferralsApi.Service;

builder.AddServiceDefaults(service);
builder.AddCoordinationMarten(service, opts => opts.Schema.For<KnownBody>());
builder.AddCoordinationMessaging<ReferralsContracts>(service, typeof(ReferralsApi).Assembly);

var app = builder.Build();
app.UseServiceDefaults();

await app.RunServiceAsync();
