using Coordination.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authorization;
using Referrals.Api.Accompaniments.Hiding;
using Referrals.Api.Accompaniments.Listing;
using Referrals.Api.Accompaniments.Logging;
using Referrals.Api.ContactPersons.Designating;
using Referrals.Api.ContactPersons.Listing;
using Referrals.Api.FollowUp.GettingFollowUp;
using Referrals.Api.Referrals.Accepting;
using Referrals.Api.Referrals.Closing;
using Referrals.Api.Referrals.Declining;
using Referrals.Api.Referrals.Expiring;
using Referrals.Api.Referrals.GettingDetails;
using Referrals.Api.Referrals.Listing;
using Referrals.Api.Referrals.Redirecting;
using Referrals.Api.Referrals.Reviewing;
using Referrals.Api.Referrals.Sending;
using Referrals.Api.Referrals.Withdrawing;
using Referrals.Api.Statistics;

namespace Referrals.Api;

public static class ReferralsEndpoints
{
    /// <summary>
    /// Routes that read a person's data are open to professionals of a body and to persons (the person
    /// themself, or a person who is someone's companion); admins and partner systems never read person data,
    /// so those routes are closed to them (403 whatever the id). §4 then decides per person and item.
    /// </summary>
    public const string PersonDataPolicy = "referrals-person-data";

    public static IHostApplicationBuilder AddReferrals(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthorizationBuilder().AddPolicy(PersonDataPolicy, p => p.RequireAuthenticatedUser().RequireAssertion(IsProfessionalOrPerson));
        builder.Services.AddHostedService<ReferralExpiryJob>();
        builder.Services.AddRightsOpenedSchema();
        builder.Services.AddSingleton<FollowUp.GettingFollowUp.FollowUpStatements>();
        return builder;
    }

    private static bool IsProfessionalOrPerson(AuthorizationHandlerContext context)
    {
        var caller = Caller.From(context.User);
        return caller.IsProfessional || (caller.IsPerson && caller.PersonId is not null);
    }

    public static WebApplication MapReferrals(this WebApplication app)
    {
        var api = app.MapGroup("").RequireAuthorization(AuthSetup.ScopePolicy);

        // Referral commands and a body's lists: professionals (their body acts).
        api.MapGroup("").WithTags(ReferralsApi.ReferralsTag).RequireAuthorization(Policies.Professional)
            .MapSendReferral()
            .MapListReferrals()
            .MapReviewReferral()
            .MapAcceptReferral()
            .MapDeclineReferral()
            .MapRedirectReferral()
            .MapCloseReferral()
            .MapWithdrawReferral();
        api.MapGroup("").WithTags(ReferralsApi.ReferralsTag).RequireAuthorization(PersonDataPolicy)
            .MapGetReferral();

        api.MapGroup("").WithTags(ReferralsApi.ContactPersonsTag).RequireAuthorization(Policies.Professional)
            .MapDesignateContactPerson();
        api.MapGroup("").WithTags(ReferralsApi.ContactPersonsTag).RequireAuthorization(PersonDataPolicy)
            .MapListContactPersons();

        api.MapGroup("").WithTags(ReferralsApi.AccompanimentsTag).RequireAuthorization(PersonDataPolicy)
            .MapLogAccompaniment()
            .MapListAccompaniments();
        api.MapGroup("").WithTags(ReferralsApi.AccompanimentsTag).RequireAuthorization(Policies.Person)
            .MapHideAccompaniment();

        api.MapGroup("").WithTags(ReferralsApi.FollowUpTag).RequireAuthorization(PersonDataPolicy)
            .MapGetFollowUp();

        // Aggregates only: coordinators and administrators (checked in the handler, with a Problem Details 403).
        api.MapGroup("").WithTags(ReferralsApi.StatisticsTag)
            .MapRightsOpened();
        return app;
    }
}
