using Coordination.Secrecy.Gate;
using Coordination.ServiceDefaults;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Persistence;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Coordination.Bench.Infrastructure;

/// <summary>
/// Document stores configured exactly as the services configure theirs — the same <c>AddCoordinationMarten</c>
/// and the same model — so that what the bench seeds is what the services read. Built in topology-only mode:
/// no async daemon and no outbox run in the bench.
/// </summary>
public sealed class ServiceStores(BenchSettings settings) : IDisposable
{
    private readonly List<IHost> _hosts = [];

    public IDocumentStore Referrals() => Build(global::Referrals.Api.ReferralsApi.Service, opts =>
    {
        opts.AddSecrecyGate();
        global::Referrals.Api.ReferralsModel.Configure(opts);
    }, global::Referrals.Api.ReferralsApi.GenericPlans);

    public IDocumentStore Consents() => Build(global::Consents.Api.ConsentsApi.Service, opts =>
    {
        opts.AddSecrecyGate(ownsConsents: true);
        global::Consents.Api.ConsentsModel.Configure(opts);
    });

    public IDocumentStore Appointments() => Build(global::Appointments.Api.AppointmentsApi.Service, opts =>
    {
        opts.AddSecrecyGate();
        global::Appointments.Api.AppointmentsModel.Configure(opts);
    });

    private IDocumentStore Build(ServiceInfo service, Action<StoreOptions> configure, bool genericPlans = false)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["ConnectionStrings:Postgres"] = settings.SystemDatabase;
        builder.Configuration[MessagingSetup.DeployTopologyOnlyKey] = "true";
        builder.Services.AddLogging();
        builder.AddCoordinationMarten(service, configure, genericPlans);
        var host = builder.Build();
        _hosts.Add(host);
        return host.Services.GetRequiredService<IDocumentStore>();
    }

    public void Dispose()
    {
        foreach (var host in _hosts) host.Dispose();
    }
}
