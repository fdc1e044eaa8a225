using Appointments.Api.Bookings.GettingDetails;
using Appointments.Api.Copies;
using Appointments.Api.Webhooks.Outbox;
using Consents.Contracts;
using Coordination.Secrecy.Gate.Copies;
using Coordination.Secrecy.Gate.Privacy;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Appointments.Api.Privacy;

/// <summary>An appointment with everything its stream says (note included), where and at which body.</summary>
public sealed record AppointmentExport(AppointmentDetails Appointment, string? Body, PlaceCopy? Place);

/// <summary>
/// A delivery of the appointment to a partner's webhook (a recipient, GDPR art. 15(1)(c)): to which body's endpoint, what
/// and when, and whether the person's name was in it — not the body itself.
/// </summary>
public sealed record WebhookDeliveryExport(Guid AppointmentId, Guid EndpointId, string? Body, string Topic, bool ShowedPerson,
    DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt);

public sealed record AppointmentsExportSections(IReadOnlyList<AppointmentExport> Appointments, IReadOnlyList<WebhookDeliveryExport> WebhookDeliveries);

/// <summary>Appointments' part of a person's export: every appointment with its note, and to whom it was sent.</summary>
public sealed class PersonExportRequestedConsumer(IQuerySession session, IOptions<JsonOptions> json, TimeProvider time)
    : IConsumer<PersonExportRequested>
{
    public const string Service = "appointments";

    public async Task Consume(ConsumeContext<PersonExportRequested> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var appointments = (await session.Query<AppointmentDetails>().Where(a => a.PersonId == m.PersonId).ToListAsync(ct))
            .OrderBy(a => a.StartsAt).ToList();
        var deliveries = await session.Query<WebhookDelivery>().Where(d => d.PersonId == m.PersonId).ToListAsync(ct);
        var endpoints = deliveries.Count == 0 ? [] : await session.LoadManyAsync<Webhooks.WebhookEndpointDetails>(ct,
            deliveries.Select(d => d.EndpointId).Distinct().ToArray());
        var bodyIds = appointments.Select(a => a.BodyId).Concat(endpoints.Select(e => e.BodyId)).Distinct().ToArray();
        var bodies = bodyIds.Length == 0 ? [] : await session.LoadManyAsync<BodyCopy>(ct, bodyIds);
        var places = appointments.Count == 0 ? [] : await session.LoadManyAsync<PlaceCopy>(ct, appointments.Select(a => a.PlaceId).Distinct().ToArray());
        var bodyNames = bodies.ToDictionary(b => b.Id, b => b.Name);
        var placeById = places.ToDictionary(p => p.Id);
        var endpointBody = endpoints.ToDictionary(e => e.Id, e => e.BodyId);

        var sections = new AppointmentsExportSections(
            appointments.Select(a => new AppointmentExport(a, bodyNames.GetValueOrDefault(a.BodyId), placeById.GetValueOrDefault(a.PlaceId))).ToList(),
            deliveries.OrderBy(d => d.CreatedAt).Select(d => new WebhookDeliveryExport(d.AppointmentId, d.EndpointId,
                endpointBody.TryGetValue(d.EndpointId, out var body) ? bodyNames.GetValueOrDefault(body) : null, d.Topic, d.ShowsPerson,
                d.CreatedAt, d.DeliveredAt)).ToList());
        await ExportParts.PublishAsync(context, m.ExportId, m.PersonId, Service, sections, json.Value.SerializerOptions, time.GetUtcNow());
    }
}
