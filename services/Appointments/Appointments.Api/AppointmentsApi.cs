using Coordination.ServiceDefaults;

namespace Appointments.Api;

/// <summary>Marks this service's assembly (tests host it with WebApplicationFactory&lt;AppointmentsApi&gt;).</summary>
public sealed class AppointmentsApi
{
    public const string SchedulesTag = "Opening schedules";
    public const string SlotsTag = "Slots";
    public const string AppointmentsTag = "Appointments";
    public const string WebhooksTag = "Partner webhooks";

    public static readonly ServiceInfo Service = new("appointments", "Appointments",
        "Opening schedules, slots, bookings on behalf of the person with their companion, attendance and partner webhooks.")
    {
        DefaultPort = 5104,
        // The referral contracts' involvement is written with the referral copy since ADR 0083.
        RetiredEndpoints = ["appointments-referral-involvement"],
        Tags = new Dictionary<string, string>
        {
            [SchedulesTag] = "A body's opening schedules at a place or permanence: motif, mode, duration, capacity, who may book, " +
                "booking delays and a weekly recurrence in Europe/Paris time.",
            [SlotsTag] = "Free slots (créneaux) derived from the open schedules, as the caller may book them.",
            [AppointmentsTag] = "Bookings on the person's behalf (rendez-vous), with their companion and an optional referral: " +
                "reschedule, cancel, attendance, iCalendar export. Reads follow shared professional secrecy and are logged.",
            [WebhooksTag] = "Signed partner webhooks (RDV-Service-Public style) of a body's bookings, replayable from a cursor.",
        },
    };
}
