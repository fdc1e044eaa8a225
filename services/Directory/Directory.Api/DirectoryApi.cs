using Coordination.ServiceDefaults;

namespace Directory.Api;

/// <summary>Marks this service's assembly (tests host it with WebApplicationFactory&lt;DirectoryApi&gt;).</summary>
public sealed class DirectoryApi
{
    public static readonly ServiceInfo Service = new("directory", "Directory",
        "The partner directory: bodies (organismes), their services, places and permanences, members and the designated partner contact.");
}
