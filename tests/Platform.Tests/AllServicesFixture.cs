using Coordination.Testing;

namespace Platform.Tests;

/// <summary>The five services on one database and vhost.</summary>
public sealed class AllServicesFixture() : CoordinationFixture(Services.All);
