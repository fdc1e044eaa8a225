using Coordination.ServiceDefaults;

namespace Directory.Api;

/// <summary>Marks this service's assembly (tests host it with WebApplicationFactory&lt;DirectoryApi&gt;).</summary>
public sealed class DirectoryApi
{
    public const string BodiesTag = "Bodies";
    public const string ServicesTag = "Services";
    public const string PlacesTag = "Places";
    public const string MembersTag = "Members and partner contact";
    public const string DataInclusionTag = "data·inclusion";

    public static readonly ServiceInfo Service = new("directory", "Directory",
        "The partner directory: bodies (organismes), their services, places and permanences, members and the designated partner contact.")
    {
        DefaultPort = 5101,
        Tags = new Dictionary<string, string>
        {
            [BodiesTag] = "Bodies (organismes): CAF, CPAM, CCAS, France services, associations… and the search by commune and thematique.",
            [ServicesTag] = "The services a body offers, in data·inclusion v1 terms, with their capacity status.",
            [PlacesTag] = "Where a body receives people: its premises and its permanences elsewhere.",
            [MembersTag] = "Who works in a body and in which role (the only source of a professional's body and role), and the designated partner contact (interlocuteur privilégié).",
            [DataInclusionTag] = "Import from and export to the data·inclusion v1 schema.",
        },
    };
}
