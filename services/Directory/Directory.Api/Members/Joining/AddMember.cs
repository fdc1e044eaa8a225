using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Directory.Api.Bodies;
using Directory.Api.Formats;
using JasperFx;
using Marten;

namespace Directory.Api.Members.Joining;

public sealed record AddMemberRequest(string Email, string DisplayName, string Role, DateOnly? From = null, string? Phone = null);

public sealed record AddMember(Guid MemberId, Guid BodyId, string Email, string DisplayName, string Role, DateOnly From, string? Phone, string AddedBy);

public sealed record MemberCreated(Guid Id);

public static class AddMemberDecider
{
    public static Dictionary<string, string[]> Validate(AddMemberRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(r.Email)) errors["email"] = ["Required."];
        else if (!Contacts.IsLoginEmail(r.Email.Trim())) errors["email"] = ["A valid email address."];
        var name = r.DisplayName?.Trim();
        if (string.IsNullOrEmpty(name)) errors["displayName"] = ["Required."];
        else if (name.Length > 100) errors["displayName"] = ["At most 100 characters."];
        if (string.IsNullOrEmpty(r.Role)) errors["role"] = ["Required."];
        else if (!Roles.Professional.Contains(r.Role)) errors["role"] = ["One of " + string.Join(", ", Roles.Professional.Order()) + "."];
        if (r.Phone is { } phone && !Contacts.TryNormalizePhone(phone, out _)) errors["phone"] = ["A valid phone number, in E.164 (+33468903030) or French national form."];
        return errors;
    }

    public static AddMember Command(Guid memberId, Guid bodyId, AddMemberRequest r, DateOnly today, string by) =>
        new(memberId, bodyId, Contacts.NormalizeEmail(r.Email), r.DisplayName.Trim(), r.Role, r.From ?? today,
            r.Phone is { } p && Contacts.TryNormalizePhone(p, out var e164) ? e164 : null, by);

    /// <summary>At most one active membership per professional: a second one, in any body, is a conflict.</summary>
    public static Decision Decide(AddMember c, ActiveMembership? current) =>
        current is not null
            ? Decision.Refuse("already-a-member", "This professional already has an active membership; it must end before another starts.")
            : Decision.Accept(new MemberJoined(c.MemberId, c.BodyId, c.Email, c.DisplayName, c.Role, c.From, c.Phone, c.AddedBy));

    /// <summary>Appends the membership and its reservation; the caller commits.</summary>
    public static void Append(IDocumentSession session, AddMember command, Decision decision)
    {
        session.Events.StartStream<Member>(command.MemberId, decision.Events.ToArray());
        session.Insert(new ActiveMembership(command.Email, command.MemberId, command.BodyId));
    }
}

public static class AddMemberEndpoint
{
    public static RouteGroupBuilder MapAddMember(this RouteGroupBuilder group)
    {
        group.MapPost("/bodies/{id:guid}/members", Handle)
            .AcceptsIdempotencyKey()
            .WithName("addMember")
            .WithSummary("Add a member to a body")
            .WithDescription("A professional (email, display name, role, start date — today by default) joins the body; Identity " +
                "attaches the body and role to the login with that email or invites a new one. At most one active membership per " +
                "professional (409). The body's coordinators and administrators. Accepts an Idempotency-Key header.")
            .Produces<MemberCreated>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, AddMemberRequest request, Caller caller, IDocumentSession session,
        TimeProvider time, HttpContext http)
    {
        if (!caller.CanManage(id)) return Access.CannotManage();
        var errors = AddMemberDecider.Validate(request);
        if (errors.Count > 0) return Problems.Invalid(errors);
        if (!await session.Exists<Body>(id, http.RequestAborted)) return Problems.NotFound();

        var command = AddMemberDecider.Command(Guid.CreateVersion7(), id, request, time.Today(), caller.Subject);
        var current = await session.LoadAsync<ActiveMembership>(command.Email, http.RequestAborted);
        var decision = AddMemberDecider.Decide(command, current);
        if (decision.Refused) return Problems.Conflict(decision.ConflictCode!, decision.ConflictTitle!);

        AddMemberDecider.Append(session, command, decision);
        try
        {
            return await session.CreatedAsync(http, $"/bodies/{id}/members/{command.MemberId}", new MemberCreated(command.MemberId), version: 1);
        }
        catch (DocumentAlreadyExistsException e) when (e.DocType == typeof(ActiveMembership))
        {
            // Another request made this professional a member between our check and our commit.
            var refused = AddMemberDecider.Decide(command, new ActiveMembership(command.Email, Guid.Empty, Guid.Empty));
            return Problems.Conflict(refused.ConflictCode!, refused.ConflictTitle!);
        }
    }
}
