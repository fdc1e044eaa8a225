using Appointments.Api.Copies;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;

namespace Appointments.Api.Bookings.GettingDetails;

public sealed record PlaceView(Guid Id, string Name, string? AddressLine, string? PostalCode, string? Commune, string? CommuneInsee,
    bool AddressWithheld);

public sealed record PersonView(Guid Id, string? DisplayName);

public sealed record CompanionView(Guid Id, string? DisplayName, bool Attends);

/// <summary>
/// An appointment as one reader may see it. A <see cref="Stub"/> is what a body concerned keeps once it may no
/// longer see the person's data (ids, dates, status); <see cref="Note"/> is shown to the person, the receiving body
/// and the body that wrote it.
/// </summary>
public sealed record AppointmentView(Guid Id, Guid BodyId, string? BodyName, Guid? BookedByBodyId, DateTimeOffset StartsAt,
    DateTimeOffset EndsAt, AppointmentStatus Status, bool Stub, string? Motif, Mode? Mode, PlaceView? Place, PersonView? Person,
    CompanionView? Companion, Guid? ReferralId, string? Note, bool? Excused, CancelledBy? CancelledBy, CancelReason? CancelReason,
    long Version);

/// <summary>What one read of appointments shows and withholds, for its single access-log event.</summary>
public sealed class ReadRecord
{
    public static readonly string[] Asked = [Categories.Appointments, Categories.Identity, Categories.Companion];

    private readonly HashSet<string> _shown = new(StringComparer.Ordinal);

    public Decision? Basis { get; private set; }

    public IReadOnlyCollection<string> Shown => _shown;

    public IEnumerable<string> Withheld => Asked.Where(c => !_shown.Contains(c));

    public void Show(string category, Decision decision)
    {
        _shown.Add(category);
        if (Basis is null || (Basis.ConsentId is null && decision.ConsentId is not null)) Basis = decision;
    }
}

/// <summary>
/// DESIGN §4 for appointments, through <see cref="SecrecyRules"/> only: the person sees their own; the receiving body
/// sees what the booking holds while it has an active grant (basis booking); the booking body, other involved bodies
/// and the companion follow the appointments category for this item (an appointment at a sensitive body reaches only
/// its two bodies and the person). A body concerned that may see nothing more gets the stub; anyone else nothing.
/// </summary>
public static class AppointmentSight
{
    public sealed record Names(PersonCopy? Person, CompanionCopy? Companion, PlaceCopy? Place, BodyCopy? Body);

    public static AppointmentView? View(Reader reader, PersonFacts facts, AppointmentDetails a, Names names, DateTimeOffset now, ReadRecord read)
    {
        var item = a.AsItem();
        var appointments = SecrecyRules.Decide(reader, facts, Categories.Appointments, now, item);
        if (appointments is { Allowed: true, Basis: Bases.Self })
        {
            foreach (var c in ReadRecord.Asked) read.Show(c, appointments);
            return Full(a, names, showName: true, showCompanion: true, showNote: true, showAddress: true);
        }

        var member = reader.BodyId == a.BodyId && reader.Role != Reader.PersonRole;
        var booking = SecrecyRules.DecideBookingContent(reader, facts, a.BodyId, now);
        if (booking.Allowed)
        {
            foreach (var c in ReadRecord.Asked) read.Show(c, booking);
            return Full(a, names, showName: true, showCompanion: true, showNote: true, showAddress: true);
        }

        if (appointments.Allowed)
        {
            read.Show(Categories.Appointments, appointments);
            var identity = SecrecyRules.Decide(reader, facts, Categories.Identity, now, item);
            if (identity.Allowed) read.Show(Categories.Identity, identity);
            var companion = SecrecyRules.Decide(reader, facts, Categories.Companion, now, item);
            if (companion.Allowed) read.Show(Categories.Companion, companion);
            // Without the body's copy its sensitivity is unknown: the street address is withheld rather than risked.
            var sensitive = names.Body?.Sensitive != false;
            return Full(a, names, identity.Allowed, companion.Allowed, showNote: reader.BodyId is { } b && b == a.BookedByBodyId,
                showAddress: !sensitive || member);
        }

        if (reader.Role != Reader.PersonRole && reader.BodyId is { } own && (own == a.BodyId || own == a.BookedByBodyId))
        {
            return Stub(a, names);
        }
        return null;
    }

    private static AppointmentView Full(AppointmentDetails a, Names n, bool showName, bool showCompanion, bool showNote, bool showAddress) =>
        new(a.Id, a.BodyId, n.Body?.Name, a.BookedByBodyId, a.StartsAt, a.EndsAt, a.Status, false, a.Motif, a.Mode, PlaceOf(n.Place, showAddress),
            new PersonView(a.PersonId, showName ? n.Person?.DisplayName : null),
            a.CompanionId is { } cid && showCompanion ? new CompanionView(cid, n.Companion?.DisplayName, a.CompanionAttends) : null,
            a.ReferralId, showNote ? a.Note : null, a.Excused, a.CancelledBy, a.CancelReason, a.Version);

    private static AppointmentView Stub(AppointmentDetails a, Names n) =>
        new(a.Id, a.BodyId, n.Body?.Name, a.BookedByBodyId, a.StartsAt, a.EndsAt, a.Status, true, null, null, null, null, null, null, null,
            a.Excused, a.CancelledBy, a.CancelReason, a.Version);

    public static PlaceView? PlaceOf(PlaceCopy? p, bool showAddress) => p is null
        ? null
        : new PlaceView(p.Id, p.Name, showAddress ? p.AddressLine : null, p.PostalCode, p.Commune, p.CommuneInsee, !showAddress);
}
