using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Referrals.Api;
using Referrals.Api.Access;
using Referrals.Api.Accompaniments;
using Referrals.Api.Accompaniments.Listing;
using Referrals.Api.ContactPersons;
using Referrals.Api.ContactPersons.Listing;
using Referrals.Api.Copies;
using Referrals.Api.FollowUp;
using Referrals.Api.Referrals;
using Referrals.Api.Referrals.GettingDetails;
using Xunit;

namespace Referrals.Tests.Deciders;

/// <summary>
/// The follow-up matrix on the pure composer: each role × involved or not × grant active, revoked, expired or
/// missing categories × the reader's body being the sensitive body or not. Each case asserts what is present
/// and what is absent, section by section and item by item.
/// </summary>
public sealed class FollowUpMatrixTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Person = Guid.CreateVersion7();
    private static readonly Guid ReaderBody = Guid.CreateVersion7();     // the reader's body, when it is not the sensitive one
    private static readonly Guid X = Guid.CreateVersion7();          // another involved body (sender of both referrals)
    private static readonly Guid Y = Guid.CreateVersion7();          // an ordinary receiving body
    private static readonly Guid S = Guid.CreateVersion7();          // a sensitive body (a shelter)
    private static readonly Actor ByX = new("x", "Xavier", X);

    // Declared first: the entries below are logged by this companion.
    private static readonly CompanionCopy Companion = new(Guid.CreateVersion7(), Person, "companion-sub", "Marc", "peer_worker", true, false,
        [Categories.Contacts, Categories.Appointments, Categories.Accompaniment, Categories.Orientation], null, null, true);
    private static readonly ReferralDetails ToY = Referral(Guid.CreateVersion7(), X, Y);
    private static readonly ReferralDetails ToS = Referral(Guid.CreateVersion7(), X, S);
    private static readonly ContactPersonHistory ContactAtX = Contact(X);
    private static readonly ContactPersonHistory ContactAtS = Contact(S);
    private static readonly AppointmentCopy AppointmentAtY = Appointment(Y, Now.AddDays(2));
    private static readonly AppointmentCopy AppointmentAtS = Appointment(S, Now.AddDays(-2));
    private static readonly AccompanimentDetails VisitToY = Accompaniment(Y, hidden: false);
    private static readonly AccompanimentDetails VisitToS = Accompaniment(S, hidden: false);
    private static readonly AccompanimentDetails HiddenVisit = Accompaniment(Y, hidden: true);
    private static ReferralDetails Referral(Guid id, Guid from, Guid to) => ReferralDetailsProjection.Create(new ReferralSent(id, Person, from, to, null,
        "famille--garde-denfants", TargetRight.Rsa, "motif confidentiel", Urgency.Normal, new DateOnly(2026, 3, 30), null, ByX, Now.AddDays(-3)));

    private static ContactPersonHistory Contact(Guid body) =>
        ContactPersonHistoryProjection.Create(new ContactPersonDesignated(Person, body, Guid.CreateVersion7(), "Référente", new Actor("c", "C", body), Now.AddDays(-10)));

    private static AppointmentCopy Appointment(Guid body, DateTimeOffset at) => new(Guid.CreateVersion7(), Person, body, X, null, null, at, at.AddHours(1),
        "in_person", "Ouverture de droits", AppointmentState.Booked, null, null, null, true, Now.AddDays(-5), null);

    private static AccompanimentDetails Accompaniment(Guid body, bool hidden)
    {
        var id = Guid.CreateVersion7();
        var logged = AccompanimentDetailsProjection.Create(new AccompanimentLogged(id, Person, new AccompanimentAuthor("c", "Marc", null, Companion.Id),
            AccompanimentKind.AccompaniedToAppointment, new DateOnly(2026, 2, 20), body, "Corps", "note", Now.AddDays(-9)));
        return hidden ? AccompanimentDetailsProjection.Apply(new AccompanimentHidden(id, Person, Now), logged) : logged;
    }

    private static readonly FollowUpDocuments Documents = new(Person, new PersonNameCopy(Person, "Camille Durand", X, Now.AddYears(-1)),
        [ToY, ToS], [ContactAtX, ContactAtS], [Companion], [AppointmentAtY, AppointmentAtS], [VisitToY, VisitToS, HiddenVisit],
        new Dictionary<Guid, string> { [X] = "CCAS", [Y] = "CAF", [S] = "Refuge" });

    public enum GrantState { Active, Revoked, Expired, CategoriesMissing }

    /// <summary>The categories a grant in the "missing" case still opens.</summary>
    private static readonly string[] Few = [Categories.Identity, Categories.Contacts];

    private static PersonFacts Facts(Guid readerBody, bool involved, GrantState grant, bool withCompanion = true)
    {
        var categories = grant == GrantState.CategoriesMissing ? Few : [.. Categories.All];
        var g = new Grant(Guid.CreateVersion7(), readerBody, categories.ToHashSet(), Purposes.FollowUpCoordination, Now.AddDays(-30),
            grant == GrantState.Expired ? Now.AddSeconds(-1) : Now.AddDays(300), grant == GrantState.Revoked ? Now.AddDays(-1) : null);
        List<Involvement> involvements =
        [
            new(X, InvolvementKind.Registered),
            new(X, InvolvementKind.ReferralSender, ToY.Id), new(Y, InvolvementKind.ReferralReceiver, ToY.Id),
            new(X, InvolvementKind.ReferralSender, ToS.Id),
        ];
        // The sensitive body is involved through the referral it received; the other reader body registered the person.
        if (involved) involvements.Add(readerBody == S ? new(S, InvolvementKind.ReferralReceiver, ToS.Id) : new(readerBody, InvolvementKind.Registered));
        return new PersonFacts(Person, [g], withCompanion ? [Companion.ToCompanionGrant()] : [], involvements, new HashSet<Guid> { S });
    }

    private static readonly string[] Roles = ["social_worker", "coordinator", "france_services_adviser", "mairie_secretary", "peer_worker", "volunteer"];

    public static TheoryData<string, bool, GrantState, bool> Matrix()
    {
        var data = new TheoryData<string, bool, GrantState, bool>();
        foreach (var role in Roles)
            foreach (var involved in new[] { true, false })
                foreach (var grant in Enum.GetValues<GrantState>())
                    foreach (var readerIsSensitiveBody in new[] { false, true })
                        data.Add(role, involved, grant, readerIsSensitiveBody);
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void AProfessional_SeesExactlyWhatTheirRoleInvolvementAndGrantOpen_AndASensitiveBodysItemsOnlyWhenConcerned(
        string role, bool involved, GrantState grant, bool readerIsSensitiveBody)
    {
        var body = readerIsSensitiveBody ? S : ReaderBody;
        var sight = new Sight(new Reader("pro", role, body, null), Facts(body, involved, grant), Now);
        var composed = FollowUpComposer.Compose(sight, Documents);

        var opened = involved && grant is GrantState.Active or GrantState.CategoriesMissing
            ? RoleCategories.For(role).Intersect(grant == GrantState.CategoriesMissing ? Few : Categories.All).ToHashSet()
            : [];
        // §4: the body hosting a booking (here the sensitive body hosts one) sees the booking itself while any grant of its is active.
        var hostsBooking = readerIsSensitiveBody && grant is GrantState.Active or GrantState.CategoriesMissing;
        var shown = hostsBooking ? opened.Append(Categories.Appointments).ToHashSet() : opened;
        if (shown.Count == 0)
        {
            Assert.Null(composed.View);
            Assert.Empty(composed.Read.Shown);
            Assert.Equal(Categories.All.Order(), composed.Read.Withheld.Order());
            return;
        }

        var view = composed.View!;
        var concerned = readerIsSensitiveBody;
        Assert.Equal(Categories.All.Where(shown.Contains), view.CategoriesShown);
        Assert.Equal(Categories.All.Where(c => !shown.Contains(c)), view.CategoriesWithheld);
        Assert.Equal(opened.Count > 0 ? Bases.Consent : Bases.Booking, composed.Read.Basis!.Basis);
        Assert.NotNull(composed.Read.Basis.ConsentId);

        Assert.Equal(opened.Contains(Categories.Identity) ? "Camille Durand" : null, view.DisplayName);

        if (opened.Contains(Categories.Orientation))
        {
            Assert.Equal((concerned ? [ToY.Id, ToS.Id] : new[] { ToY.Id }).Order(), view.Orientations!.Select(o => o.Id).Order());
            Assert.All(view.Orientations!, o =>
            {
                Assert.False(o.Stub);
                Assert.Equal(opened.Contains(Categories.OrientationDetails), o.DetailsShown);
                Assert.Equal(opened.Contains(Categories.OrientationDetails) ? "motif confidentiel" : null, o.Reason);
            });
        }
        else Assert.Null(view.Orientations);

        if (opened.Contains(Categories.Contacts))
            Assert.Equal((concerned ? [X, S] : new[] { X }).Order(), view.ContactPersons!.Select(c => c.Body.Id).Order());
        else Assert.Null(view.ContactPersons);

        if (opened.Contains(Categories.Companion)) Assert.Equal([Companion.Id], view.Companions!.Select(c => c.Id));
        else Assert.Null(view.Companions);

        if (shown.Contains(Categories.Appointments))
        {
            Assert.Equal(opened.Contains(Categories.Appointments) ? [AppointmentAtY.Id] : [], view.Appointments!.Upcoming.Select(a => a.Id));
            Assert.Equal(concerned ? [AppointmentAtS.Id] : [], view.Appointments.Past.Select(a => a.Id));
        }
        else Assert.Null(view.Appointments);

        if (opened.Contains(Categories.Accompaniment))
            Assert.Equal((concerned ? [VisitToY.Id, VisitToS.Id] : new[] { VisitToY.Id }).Order(), view.Accompaniments!.Select(a => a.Id).Order());
        else Assert.Null(view.Accompaniments);

        // What is withheld or absent never appears anywhere in the document.
        var text = System.Text.Json.JsonSerializer.Serialize(view);
        if (!concerned)
        {
            Assert.DoesNotContain(ToS.Id.ToString(), text, StringComparison.Ordinal);
            Assert.DoesNotContain("Refuge", text, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(HiddenVisit.Id.ToString(), text, StringComparison.Ordinal);
        if (!opened.Contains(Categories.OrientationDetails)) Assert.DoesNotContain("motif confidentiel", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePerson_SeesEverything_IncludingSensitiveItemsAndHiddenEntries()
    {
        var sight = new Sight(new Reader("p", Reader.PersonRole, null, Person), Facts(ReaderBody, false, GrantState.Revoked, withCompanion: false), Now);
        var composed = FollowUpComposer.Compose(sight, Documents);
        var view = composed.View!;

        Assert.Equal(Categories.All, view.CategoriesShown);
        Assert.Empty(view.CategoriesWithheld);
        Assert.Equal(Bases.Self, composed.Read.Basis!.Basis);
        Assert.Equal(2, view.Orientations!.Count);
        Assert.All(view.Orientations, o => Assert.Equal("motif confidentiel", o.Reason));
        Assert.Equal(2, view.ContactPersons!.Count);
        Assert.Equal(3, view.Accompaniments!.Count);
        Assert.True(view.Accompaniments.Single(a => a.Id == HiddenVisit.Id).Hidden);
        Assert.Single(view.Appointments!.Past);
    }

    [Fact]
    public void AnotherPerson_SeesNothing()
    {
        var sight = new Sight(new Reader("q", Reader.PersonRole, null, Guid.CreateVersion7()), Facts(ReaderBody, true, GrantState.Active), Now);
        Assert.Null(FollowUpComposer.Compose(sight, Documents).View);
    }

    [Theory]
    [InlineData(Reader.AdminRole)]
    [InlineData(Reader.PartnerSystemRole)]
    public void AdminsAndPartnerSystems_SeeNothing_EvenWithABodyInvolvedAndGranted(string role)
    {
        var sight = new Sight(new Reader("admin", role, ReaderBody, null), Facts(ReaderBody, true, GrantState.Active), Now);
        Assert.Null(FollowUpComposer.Compose(sight, Documents).View);
    }

    [Fact]
    public void TheCompanion_SeesExactlyWhatThePersonLetThemSee_ButNoSensitiveItemAndNoHiddenEntry()
    {
        // A peer worker of a body that is not involved reads as the person's companion.
        var sight = new Sight(new Reader("companion-sub", "peer_worker", Guid.CreateVersion7(), null), Facts(ReaderBody, true, GrantState.Active), Now);
        var composed = FollowUpComposer.Compose(sight, Documents);
        var view = composed.View!;

        Assert.Equal(Bases.Companion, composed.Read.Basis!.Basis);
        Assert.Equal([Categories.Orientation, Categories.Contacts, Categories.Appointments, Categories.Accompaniment], view.CategoriesShown);
        Assert.Null(view.DisplayName);
        Assert.Equal([ToY.Id], view.Orientations!.Select(o => o.Id));
        Assert.Null(view.Orientations![0].Reason);
        Assert.Equal([X], view.ContactPersons!.Select(c => c.Body.Id));
        Assert.Null(view.Companions);
        Assert.Equal([AppointmentAtY.Id], view.Appointments!.Upcoming.Select(a => a.Id));
        Assert.Empty(view.Appointments.Past);
        Assert.Equal([VisitToY.Id], view.Accompaniments!.Select(a => a.Id));
    }

    [Fact]
    public void ARemovedCompanion_SeesNothing()
    {
        var facts = Facts(ReaderBody, true, GrantState.Active, withCompanion: false) with
        {
            Companions = [(Companion with { RemovedAt = Now.AddMinutes(-1) }).ToCompanionGrant()],
        };
        var sight = new Sight(new Reader("companion-sub", Reader.PersonRole, null, Guid.CreateVersion7()), facts, Now);
        Assert.Null(FollowUpComposer.Compose(sight, Documents).View);
    }

    [Fact]
    public void ABodyThatDeclined_SeesThatReferralOnly_AndWhatABookingAtItHolds()
    {
        var facts = Facts(ReaderBody, false, GrantState.Active) with
        {
            Involvements = [new(X, InvolvementKind.Registered), new(Y, InvolvementKind.ReferralReceiver, ToY.Id, ItemOnly: true)],
            Grants = [new Grant(Guid.CreateVersion7(), Y, Categories.All.ToHashSet(), Purposes.FollowUpCoordination, Now.AddDays(-1), Now.AddDays(30))],
        };
        var composed = FollowUpComposer.Compose(new Sight(new Reader("caf", "social_worker", Y, null), facts, Now), Documents);
        var view = composed.View!;

        Assert.Equal([ToY.Id], view.Orientations!.Select(o => o.Id));
        Assert.Equal([Categories.Orientation, Categories.OrientationDetails, Categories.Appointments], view.CategoriesShown);
        Assert.Null(view.DisplayName);
        Assert.Null(view.ContactPersons);
        Assert.Null(view.Accompaniments);
        // §4: the body hosting a booking sees the booking itself while it holds an active grant.
        Assert.Equal([AppointmentAtY.Id], view.Appointments!.Upcoming.Select(a => a.Id));
        Assert.Empty(view.Appointments.Past);
        Assert.Equal(Bases.Consent, composed.Read.Basis!.Basis);
    }

    [Fact]
    public void TheBodyHostingABooking_SeesTheBooking_UnderAnAppointmentBookingGrant()
    {
        var facts = Facts(ReaderBody, false, GrantState.Active) with
        {
            Involvements = [new(X, InvolvementKind.Registered), new(Y, InvolvementKind.AppointmentHost, AppointmentAtY.Id)],
            Grants = [new Grant(Guid.CreateVersion7(), Y, new HashSet<string> { Categories.Identity, Categories.Appointments }, Purposes.AppointmentBooking,
                Now.AddDays(-1), Now.AddDays(30))],
        };
        var view = FollowUpComposer.Compose(new Sight(new Reader("caf", "social_worker", Y, null), facts, Now), Documents).View!;

        Assert.Equal([AppointmentAtY.Id], view.Appointments!.Upcoming.Select(a => a.Id));
        Assert.Null(view.Orientations);
        Assert.Equal("Camille Durand", view.DisplayName);
    }
}
