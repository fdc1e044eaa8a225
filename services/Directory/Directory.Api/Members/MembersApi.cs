using Directory.Api.Members.Joining;
using Directory.Api.Members.Leaving;
using Directory.Api.Members.Listing;
using Directory.Api.PartnerContacts.Designating;
using Directory.Api.PartnerContacts.GettingHistory;

namespace Directory.Api.Members;

public static class MembersApi
{
    public static RouteGroupBuilder MapMembers(this RouteGroupBuilder group) => group
        .MapAddMember()
        .MapRemoveMember()
        .MapListMembers()
        .MapDesignatePartnerContact()
        .MapGetPartnerContactHistory();
}
