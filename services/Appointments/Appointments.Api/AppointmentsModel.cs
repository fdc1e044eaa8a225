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
    /// <summary>The slot's filter flags and numbers, duplicated as columns and carried by the commune index.</summary>
    private static readonly (string Member, string Column)[] SlotFilterColumns =
    [
        (nameof(SlotEntry.Free), "free"), (nameof(SlotEntry.BookableFrom), "bookable_from"), (nameof(SlotEntry.BookableUntil), "bookable_until"),
        (nameof(SlotEntry.Closed), "closed"), (nameof(SlotEntry.ByMembers), "by_members"), (nameof(SlotEntry.ByPartners), "by_partners"),
        (nameof(SlotEntry.ByPerson), "by_person"),
    ];

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

        // The slot search filters on these columns and orders by start: each is a real column, not JSON. A search is for
        // one commune over weeks: (commune, start) finds its slots in order, and the index carries every column the
        // filter reads, so that counting a commune's thousands of slots is an index-only scan that never opens a
        // document (at 120 000 slots, 4 800 in the commune: the count read every row's JSON, 11–34 ms; index-only, 3 ms).
        // The flags and delays are only ever read through that index: they are duplicated without an index of their own
        // (nullable, so that the columns can be added to a table that already holds slots).
        options.Schema.For<SlotEntry>().DocumentAlias("slot")
            .Duplicate(s => s.StartsAt).Duplicate(s => s.BodyId).Duplicate(s => s.ScheduleId)
            .Index([s => s.CommuneInsee!, s => s.StartsAt], index =>
            {
                index.Name = "mt_doc_slot_idx_commune_starts_at";
                index.IncludeColumns = [.. SlotFilterColumns.Select(c => c.Column), "body_id"];
            });
        options.Policies.ForAllDocuments(mapping =>
        {
            if (mapping.DocumentType != typeof(SlotEntry)) return;
            // The commune is the index's first column: an index of its own would only repeat it.
            mapping.DuplicateField(nameof(SlotEntry.CommuneInsee));
            foreach (var (member, _) in SlotFilterColumns) mapping.DuplicateField(member);
        });
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
