using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Directory.Api;

/// <summary>
/// Who may do what in the directory: professionals, administrators and partner systems read (persons do
/// not); a body's coordinators manage their own body, administrators any body. The decision depends on the
/// token only, never on whether the body exists, so a 403 tells nothing about other bodies.
/// </summary>
public static class Access
{
    public const string ReaderPolicy = "directory-reader";

    public static void AddDirectoryPolicies(this IServiceCollection services) =>
        services.AddAuthorizationBuilder().AddPolicy(ReaderPolicy, p => p.RequireAuthenticatedUser()
            .RequireAssertion(c => CanRead(Caller.From(c.User))));

    public static bool CanRead(Caller caller) => caller.IsProfessional || caller.IsAdmin || caller.IsPartnerSystem;

    public static bool CanManage(this Caller caller, Guid bodyId) =>
        caller.IsAdmin || (caller.Role == Roles.Coordinator && caller.BodyId == bodyId);

    /// <summary>A member of the body, as the token says (Identity takes body and role from Directory's memberships).</summary>
    public static bool IsMemberOf(this Caller caller, Guid bodyId) => caller.IsProfessional && caller.BodyId == bodyId;

    public static ProblemHttpResult CannotManage() =>
        Problems.Forbidden("Only the body's coordinators and administrators manage a body.");
}
