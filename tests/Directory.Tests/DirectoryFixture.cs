using Coordination.Testing;
using Xunit;

namespace Directory.Tests;

/// <summary>Identity (the token issuer, and the consumer of memberships) and Directory, started once for the project.</summary>
public sealed class DirectoryFixture() : CoordinationFixture(Services.Identity | Services.Directory);

[CollectionDefinition(Name)]
public sealed class DirectoryCollection : ICollectionFixture<DirectoryFixture>
{
    public const string Name = "directory";
}
