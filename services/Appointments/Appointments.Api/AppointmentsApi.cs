using Coordination.ServiceDefaults;

namespace Appointments.Api;

/// <summary>Marks this service's assembly (tests host it with WebApplicationFactory&lt;AppointmentsApi&gt;).</summary>
public sealed class AppointmentsApi
{
    public static readonly ServiceInfo Service = new("appointments", "Appointments",
        "Opening schedules, slots, bookings on behalf of the person with their companion, attendance and partner webhooks.");
}
