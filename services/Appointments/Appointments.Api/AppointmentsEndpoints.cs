using Appointments.Api.Bookings.Booking;
using Appointments.Api.Bookings.Cancelling;
using Appointments.Api.Bookings.Exporting;
using Appointments.Api.Bookings.GettingDetails;
using Appointments.Api.Bookings.Listing;
using Appointments.Api.Bookings.RecordingAttendance;
using Appointments.Api.Bookings.Rescheduling;
using Appointments.Api.Schedules.Closing;
using Appointments.Api.Schedules.Listing;
using Appointments.Api.Schedules.Opening;
using Appointments.Api.Slots.Searching;
using Appointments.Api.Webhooks.Listing;
using Appointments.Api.Webhooks.Registering;
using Appointments.Api.Webhooks.Removing;
using Appointments.Api.Webhooks.Replaying;
using Coordination.ServiceDefaults.Security;

namespace Appointments.Api;

public static class AppointmentsEndpoints
{
    public static WebApplication MapAppointments(this WebApplication app)
    {
        var api = app.MapGroup("").RequireAuthorization(AuthSetup.ScopePolicy);
        api.MapGroup("").WithTags(AppointmentsApi.SchedulesTag).MapOpenSchedule().MapListSchedules().MapCloseSchedule();
        api.MapGroup("").WithTags(AppointmentsApi.SlotsTag).MapSearchSlots();
        api.MapGroup("").WithTags(AppointmentsApi.AppointmentsTag)
            .MapBookAppointment().MapGetAppointment().MapRescheduleAppointment().MapCancelAppointment().MapRecordAttendance()
            .MapListPersonAppointments().MapExportAppointment();
        api.MapGroup("").WithTags(AppointmentsApi.WebhooksTag).MapRegisterWebhookEndpoint().MapListWebhookEndpoints()
            .MapRemoveWebhookEndpoint().MapListWebhookEvents();
        return app;
    }
}
