using Consents.Api.AccessLog;
using Consents.Api.Access;
using Consents.Api.Companions.Choosing;
using Consents.Api.Companions.Listing;
using Consents.Api.Companions.Removing;
using Consents.Api.ConsentRecord;
using Consents.Api.Consents.Expiring;
using Consents.Api.Consents.Granting;
using Consents.Api.Consents.Listing;
using Consents.Api.Consents.Revoking;
using Consents.Api.ContactPersons;
using Consents.Api.Demo;
using Consents.Api.Persons.Activating;
using Consents.Api.Persons.GettingDetails;
using Consents.Api.Persons.Registering;
using Consents.Api.Persons.Searching;
using Consents.Api.Privacy.Erasing;
using Consents.Api.Privacy.Exporting;
using Consents.Api.Privacy.Retention;
using Consents.Api.Receipts;
using Coordination.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authorization;

namespace Consents.Api;

public static class ConsentsEndpoints
{
    /// <summary>
    /// Person routes are open to professionals of a body and to persons; admins and partner systems never
    /// read person data, so the route itself is closed to them (403 whatever the id).
    /// </summary>
    public const string PersonDataPolicy = "consents-person-data";

    /// <summary>Erasure is asked for by the person themself or, on their written request, by an administrator.</summary>
    public const string ErasurePolicy = "consents-erasure";

    public static IHostApplicationBuilder AddConsents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(PersonDataPolicy, p => p.RequireAuthenticatedUser().RequireAssertion(IsProfessionalOrPerson))
            .AddPolicy(ErasurePolicy, p => p.RequireAuthenticatedUser().RequireAssertion(IsPersonOrAdmin));
        builder.Services.AddScoped<PersonAccess>();
        builder.Services.AddSingleton<ExpirySignal>();
        builder.Services.AddHostedService<ConsentExpiryJob>();
        // The person's rights: erasure, export (kept 24 hours), and forgetting on time.
        builder.Services.Configure<RetentionOptions>(builder.Configuration.GetSection(RetentionOptions.Section));
        builder.Services.AddSingleton<PersonEraser>();
        builder.Services.AddSingleton<PrivacyMetrics>();
        builder.Services.AddSingleton<RetentionJob>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RetentionJob>());
        builder.Services.AddSingleton<ExportCleanupJob>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ExportCleanupJob>());
        if (builder.Configuration.GetValue<bool>("Demo:Seed")) builder.Services.AddHostedService<DemoSeed>();
        return builder;
    }

    private static bool IsProfessionalOrPerson(AuthorizationHandlerContext context)
    {
        var caller = Caller.From(context.User);
        return caller.IsProfessional || (caller.IsPerson && caller.PersonId is not null);
    }

    private static bool IsPersonOrAdmin(AuthorizationHandlerContext context)
    {
        var caller = Caller.From(context.User);
        return caller.IsAdmin || (caller.IsPerson && caller.PersonId is not null);
    }

    public static WebApplication MapConsents(this WebApplication app)
    {
        var api = app.MapGroup("").RequireAuthorization(AuthSetup.ScopePolicy);

        api.MapGroup("").WithTags("Persons").RequireAuthorization(PersonDataPolicy)
            .MapRegisterPerson()
            .MapSearchPersons()
            .MapGetPerson()
            .MapIssueActivationCode()
            .MapListContactPersons();

        // The person's rights (GDPR art. 15, 17, 20): the export through the registering body, and the erasure.
        api.MapGroup("").WithTags("Privacy").RequireAuthorization(PersonDataPolicy)
            .MapPersonExports();
        api.MapGroup("").WithTags("Privacy").RequireAuthorization(ErasurePolicy)
            .MapErasePerson();

        api.MapGroup("").WithTags("Consents").RequireAuthorization(PersonDataPolicy)
            .MapListConsents()
            .MapRecordConsent()
            .MapRevokeConsent()
            .MapGetConsentReceipt()
            .MapGetFhirConsent();

        api.MapGroup("").WithTags("Companions").RequireAuthorization(PersonDataPolicy)
            .MapListCompanions()
            .MapRecordCompanion()
            .MapRemoveCompanion();

        // The person's own space: a person token (role person with person_id) and nothing else.
        api.MapGroup("").WithTags("My record").RequireAuthorization(Policies.Person)
            .MapGetMyConsentRecord()
            .MapGetMyAccessLog()
            .MapGrantMyConsent()
            .MapRevokeMyConsent()
            .MapChooseMyCompanion()
            .MapRemoveMyCompanion()
            .MapMyExports();
        return app;
    }
}
