using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Referrals.Api.Access;
using Referrals.Api.Accompaniments.Listing;
using Referrals.Api.ContactPersons.Listing;
using Referrals.Api.Copies;
using Referrals.Api.Referrals.GettingDetails;

namespace Referrals.Api.FollowUp;

// The shared follow-up (suivi partagé): one document composed for one reader from the person's documents,
// item by item under DESIGN §4. A section the reader may not see is null and its category is listed in
// categoriesWithheld; an item the reader may not see (a referral to a sensitive body…) is simply absent, so
// that nothing tells what a withheld category or a missing item holds.

public sealed record ContactPersonItem(BodyRef Body, Guid MemberId, string MemberName, DateTimeOffset Since);

public sealed record CompanionItem(Guid Id, string DisplayName, string Relationship, bool AttendsAppointments, DateTimeOffset? ValidUntil);

/// <summary>An appointment: <see cref="ReferralId"/> only when the reader sees that referral too.</summary>
public sealed record AppointmentItem(Guid Id, BodyRef Body, BodyRef? BookedBy, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Mode,
    string Motif, AppointmentState State, bool WithCompanion, bool? Excused, Guid? ReferralId);

public sealed record AppointmentsSection(IReadOnlyList<AppointmentItem> Upcoming, IReadOnlyList<AppointmentItem> Past);

public sealed record FollowUpView(Guid PersonId, string? DisplayName, IReadOnlyList<ReferralView>? Orientations,
    IReadOnlyList<ContactPersonItem>? ContactPersons, IReadOnlyList<CompanionItem>? Companions, AppointmentsSection? Appointments,
    IReadOnlyList<AccompanimentView>? Accompaniments, IReadOnlyList<string> CategoriesShown, IReadOnlyList<string> CategoriesWithheld);

/// <summary>Everything Referrals holds about one person, as loaded in one round trip.</summary>
public sealed record FollowUpDocuments(Guid PersonId, PersonNameCopy? Person, IReadOnlyList<ReferralDetails> Referrals,
    IReadOnlyList<ContactPersonHistory> ContactPersons, IReadOnlyList<CompanionCopy> Companions, IReadOnlyList<AppointmentCopy> Appointments,
    IReadOnlyList<AccompanimentDetails> Accompaniments, IReadOnlyDictionary<Guid, string> BodyNames);

/// <summary>The composed view (null when the reader may see nothing) and what the access log must record.</summary>
public sealed record ComposedFollowUp(FollowUpView? View, ReadRecord Read);

public static class FollowUpComposer
{
    /// <summary>Pure: the same reader, facts, documents and instant always give the same view.</summary>
    public static ComposedFollowUp Compose(Sight sight, FollowUpDocuments docs)
    {
        var read = new ReadRecord(Categories.All);
        var names = docs.BodyNames;

        var displayName = read.Show(Categories.Identity, sight.Of(Categories.Identity)) ? docs.Person?.DisplayName : null;

        read.Show(Categories.Orientation, sight.Of(Categories.Orientation));
        read.Show(Categories.OrientationDetails, sight.Of(Categories.OrientationDetails));
        var orientations = new List<ReferralView>();
        foreach (var r in docs.Referrals.OrderByDescending(r => r.SentAt))
        {
            var item = ReferralViews.ItemOf(r);
            if (!read.Show(Categories.Orientation, sight.Of(Categories.Orientation, item))) continue;
            var details = read.Show(Categories.OrientationDetails, sight.Of(Categories.OrientationDetails, item));
            orientations.Add(ReferralViews.Full(r, sight, names, details, null));
        }
        var visibleReferrals = orientations.Select(o => o.Id).ToHashSet();

        read.Show(Categories.Contacts, sight.Of(Categories.Contacts));
        var contacts = docs.ContactPersons
            .Where(h => h.Current is not null && read.Show(Categories.Contacts, sight.Of(Categories.Contacts, ContactPersonsSight.ItemOf(h))))
            .Select(h => new ContactPersonItem(BodyRef.Of(h.BodyId, names), h.Current!.MemberId, h.Current.MemberName, h.Current.From))
            .OrderBy(c => c.Body.Name, StringComparer.Ordinal).ToList();

        var companions = read.Show(Categories.Companion, sight.Of(Categories.Companion))
            ? docs.Companions.Where(c => c.Known && c.RemovedAt is null && (c.ValidUntil is null || sight.Now < c.ValidUntil))
                .Select(c => new CompanionItem(c.Id, c.DisplayName, c.Relationship, c.AttendsAppointments, c.ValidUntil)).ToList()
            : null;

        read.Show(Categories.Appointments, sight.Of(Categories.Appointments));
        var appointments = docs.Appointments.Where(a => a.Known && read.Show(Categories.Appointments, DecideAppointment(sight, a)))
            .Select(a => new AppointmentItem(a.Id, BodyRef.Of(a.BodyId, names), a.BookedByBodyId is { } b ? BodyRef.Of(b, names) : null, a.StartsAt,
                a.EndsAt, a.Mode, a.Motif, a.State, a.CompanionId is not null, a.Excused,
                a.ReferralId is { } rid && visibleReferrals.Contains(rid) ? rid : null))
            .ToList();
        var upcoming = appointments.Where(a => a.State == AppointmentState.Booked && a.StartsAt >= sight.Now).OrderBy(a => a.StartsAt).ToList();
        var past = appointments.Except(upcoming).OrderByDescending(a => a.StartsAt).ToList();

        read.Show(Categories.Accompaniment, sight.Of(Categories.Accompaniment));
        var accompaniments = docs.Accompaniments.Where(a => read.Show(Categories.Accompaniment, AccompanimentsSight.Decide(sight, a)))
            .OrderByDescending(a => a.On).ThenByDescending(a => a.LoggedAt)
            .Select(a => AccompanimentView.Of(a, names, read.IsShown(Categories.Companion))).ToList();

        if (!read.ShowedAnything) return new ComposedFollowUp(null, read);
        var view = new FollowUpView(docs.PersonId, displayName,
            read.IsShown(Categories.Orientation) ? orientations : null,
            read.IsShown(Categories.Contacts) ? contacts : null,
            companions,
            read.IsShown(Categories.Appointments) ? new AppointmentsSection(upcoming, past) : null,
            read.IsShown(Categories.Accompaniment) ? accompaniments : null,
            Categories.All.Where(read.IsShown).ToList(), read.Withheld.ToList());
        return new ComposedFollowUp(view, read);
    }

    /// <summary>
    /// An appointment under §4 (at a sensitive body: only the bodies concerned), or — for the body hosting it —
    /// what the booking itself holds, while that body has an active grant.
    /// </summary>
    public static Decision DecideAppointment(Sight sight, AppointmentCopy a)
    {
        var decision = sight.Of(Categories.Appointments, Item.Appointment(a.Id, a.BodyId, a.BookedByBodyId));
        if (decision.Allowed || sight.Reader.BodyId != a.BodyId) return decision;
        return SecrecyRules.DecideBookingContent(sight.Reader, sight.Facts, a.BodyId, sight.Now);
    }
}
