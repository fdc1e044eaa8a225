using Appointments.Api.Bookings;
using Appointments.Api.Bookings.GettingDetails;
using Appointments.Api.Copies;
using Appointments.Api.Privacy;
using Appointments.Api.Schedules;
using Appointments.Api.Schedules.Listing;
using Appointments.Api.Slots;
using Appointments.Api.Webhooks;
using Appointments.Api.Webhooks.Outbox;
using JasperFx.Events.Projections;
using Marten;

namespace Appointments.Api;

/// <summary>Appointments' events, read models and copies. Projections are inline: a read right after a write sees it.</summary>
public static class AppointmentsModel
{
    public static void Configure(StoreOptions options)
    {
        options.Events.AddEventTypes([
            typeof(ScheduleOpened), typeof(ScheduleClosed),
            typeof(SeatTaken), typeof(SeatReleased),
            typeof(AppointmentBooked), typeof(AppointmentRescheduled), typeof(AppointmentCancelled), typeof(AppointmentAttended),
            typeof(AppointmentMissed),
            typeof(WebhookEndpointRegistered), typeof(WebhookEndpointRemoved),
        ]);
        AppointmentsMasking.Configure(options);

        options.Projections.Add<ScheduleDetailsProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<AppointmentDetailsProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<WebhookEndpointDetailsProjection>(ProjectionLifecycle.Inline);

        // The slot search filters on these columns and orders by start: each is a real, indexed column, not JSON. A
        // search is for one commune over weeks: (commune, start) finds its slots in order, where the start index alone
        // read every commune's slots of the period (at 120 000 slots: 278 ms for the query before; after, 0.6 ms for the
        // page and 30–55 ms for the count, measured on a loaded machine).
        options.Schema.For<SlotEntry>().DocumentAlias("slot")
            .Duplicate(s => s.StartsAt).Duplicate(s => s.BodyId).Duplicate(s => s.CommuneInsee)
            .Duplicate(s => s.ScheduleId)
            .Index([s => s.CommuneInsee!, s => s.StartsAt], index => index.Name = "mt_doc_slot_idx_commune_starts_at")
            .Duplicate(s => s.Free).Duplicate(s => s.BookableFrom).Duplicate(s => s.BookableUntil);
        options.Schema.For<ScheduleDetails>().Duplicate(s => s.BodyId);
        options.Schema.For<AppointmentDetails>().Duplicate(a => a.PersonId).Duplicate(a => a.BodyId);
        options.Schema.For<WebhookEndpointDetails>().Duplicate(w => w.BodyId);
        options.Schema.For<WebhookDelivery>().Duplicate(d => d.EndpointId).Duplicate(d => d.Sequence).Index(d => d.DeliveredAt).Index(d => d.PersonId);
        options.Schema.For<WebhookCursor>();

        // Copies merged from several messages use optimistic concurrency so that two consumers never lose an update.
        options.Schema.For<PlaceCopy>().Duplicate(p => p.BodyId);
        options.Schema.For<PersonCopy>();
        options.Schema.For<MemberCopy>().Duplicate(m => m.BodyId).UseOptimisticConcurrency(true);
        options.Schema.For<ReferralCopy>().UseOptimisticConcurrency(true);
    }
}
