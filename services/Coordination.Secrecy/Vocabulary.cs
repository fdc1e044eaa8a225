namespace Coordination.Secrecy;

/// <summary>The categories of a person's data a consent can open, as the contracts spell them.</summary>
public static class Categories
{
    public const string Identity = "identity";
    public const string Orientation = "orientation";
    public const string OrientationDetails = "orientation_details";
    public const string Contacts = "contacts";
    public const string Companion = "companion";
    public const string Appointments = "appointments";
    public const string Accompaniment = "accompaniment";

    public static readonly IReadOnlyList<string> All =
        [Identity, Orientation, OrientationDetails, Contacts, Companion, Appointments, Accompaniment];

    public static bool IsKnown(string category) => All.Contains(category);

    /// <summary>What a booking holds: a grant for <see cref="Purposes.AppointmentBooking"/> opens these only.</summary>
    public static readonly IReadOnlySet<string> OfABooking = new HashSet<string>(StringComparer.Ordinal) { Identity, Companion, Appointments };
}

public static class Purposes
{
    public const string FollowUpCoordination = "follow_up_coordination";
    public const string AppointmentBooking = "appointment_booking";
    /// <summary>Recorded for a later rights review; opens no category by itself.</summary>
    public const string RightsReview = "rights_review";

    public static readonly IReadOnlyList<string> All = [FollowUpCoordination, AppointmentBooking, RightsReview];

    public static bool IsKnown(string purpose) => All.Contains(purpose);
}

/// <summary>Why a read was allowed (or that it was not), as the access log records it.</summary>
public static class Bases
{
    public const string Consent = "consent";
    public const string Self = "self";
    public const string Companion = "companion";
    public const string Booking = "booking";
    public const string Denied = "denied";
}

/// <summary>The roles a token can carry, and which categories each may see (DESIGN §4, table).</summary>
public static class RoleCategories
{
    public const string SocialWorker = "social_worker";
    public const string Coordinator = "coordinator";
    public const string FranceServicesAdviser = "france_services_adviser";
    public const string MairieSecretary = "mairie_secretary";
    public const string PeerWorker = "peer_worker";
    public const string Volunteer = "volunteer";

    private static readonly IReadOnlySet<string> Everything = Categories.All.ToHashSet(StringComparer.Ordinal);

    private static readonly IReadOnlySet<string> Desk = new HashSet<string>(StringComparer.Ordinal)
    {
        Categories.Identity, Categories.Orientation, Categories.Contacts, Categories.Companion, Categories.Appointments,
    };

    private static readonly IReadOnlySet<string> Peer = new HashSet<string>(StringComparer.Ordinal)
    {
        Categories.Identity, Categories.Contacts, Categories.Companion, Categories.Appointments, Categories.Accompaniment,
    };

    private static readonly IReadOnlySet<string> Nothing = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Admins, partner systems and unknown roles see nothing.</summary>
    public static IReadOnlySet<string> For(string role) => role switch
    {
        SocialWorker or Coordinator => Everything,
        FranceServicesAdviser or MairieSecretary => Desk,
        PeerWorker or Volunteer => Peer,
        _ => Nothing,
    };
}
