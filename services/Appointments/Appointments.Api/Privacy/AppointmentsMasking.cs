using Appointments.Api.Bookings;
using Marten;

namespace Appointments.Api.Privacy;

/// <summary>
/// What erasure leaves of Appointments' events: ids, bodies, slots, places, motifs, modes, statuses, codes and dates —
/// appointments stay countable. The note written for the receiving professional goes. Actors carry subjects and roles,
/// never names, and seats only ids.
/// </summary>
public static class AppointmentsMasking
{
    public static void Configure(StoreOptions options) =>
        options.Events.AddMaskingRuleForProtectedInformation<AppointmentBooked>(e => e with { Note = null });
}
