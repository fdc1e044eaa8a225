using Coordination.Testing;
using Xunit;

namespace Appointments.Tests;

/// <summary>
/// Identity (the token issuer), Directory (bodies, places and memberships, published for real) and Appointments,
/// started once for the project. Consents and Referrals are not started: their contracts are published by the tests.
/// Webhook retries are quick here so that a failure and its retry fit in a test.
/// </summary>
public sealed class AppointmentsFixture() : CoordinationFixture(Services.Identity | Services.Directory | Services.Appointments)
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings(string service) => service == "appointments"
        ? [new("Webhooks:PollMilliseconds", "50"), new("Webhooks:RetryDelayMilliseconds", "100"), new("Webhooks:MaxRetryDelaySeconds", "1")]
        : [];
}

[CollectionDefinition(Name)]
public sealed class AppointmentsCollection : ICollectionFixture<AppointmentsFixture>
{
    public const string Name = "appointments";
}
