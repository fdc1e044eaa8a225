using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appointments.Api;

/// <summary>Who may do what, as far as the token alone tells (the person-data rules are SecrecyRules', through the gate).</summary>
public static class Access
{
    /// <summary>A body's schedules are managed by its coordinators and by administrators.</summary>
    public static bool CanManageSchedules(this Caller caller, Guid bodyId) =>
        caller.IsAdmin || (caller.Role == Roles.Coordinator && caller.BodyId == bodyId);

    /// <summary>A coordinator of one body: the only callers who register and read webhook endpoints.</summary>
    public static bool IsBodyCoordinator(this Caller caller) => caller.Role == Roles.Coordinator && caller.BodyId is not null;

    public static ProblemHttpResult CannotManageSchedules() =>
        Problems.Forbidden("Only the body's coordinators and administrators manage its opening schedules.");
}
