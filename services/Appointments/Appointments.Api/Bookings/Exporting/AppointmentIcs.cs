using Appointments.Api.Bookings.GettingDetails;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Marten;

namespace Appointments.Api.Bookings.Exporting;

/// <summary>An appointment as RFC 5545 (iCalendar), built with Ical.Net from what the reader may see of it.</summary>
public static class AppointmentIcs
{
    public const string MediaType = "text/calendar";

    private static readonly Dictionary<Mode, string> ModeLabels = new Dictionary<Mode, string>
    {
        [Mode.InPerson] = "Sur place",
        [Mode.Phone] = "Par téléphone",
        [Mode.Video] = "En visioconférence",
        [Mode.HomeVisit] = "À domicile",
    };

    public static string Build(AppointmentView view)
    {
        var calendar = new Calendar { ProductId = "-//Coordination//Appointments//FR", Method = "PUBLISH" };
        var e = new CalendarEvent
        {
            Uid = view.Id.ToString(),
            Start = new CalDateTime(view.StartsAt.UtcDateTime, "UTC"),
            End = new CalDateTime(view.EndsAt.UtcDateTime, "UTC"),
            Summary = view.Motif is null ? "Rendez-vous" : $"Rendez-vous : {view.Motif}" + (view.BodyName is null ? "" : $" ({view.BodyName})"),
            Location = LocationOf(view),
            Description = DescriptionOf(view),
            Status = view.Status == AppointmentStatus.Cancelled ? EventStatus.Cancelled : EventStatus.Confirmed,
            Sequence = (int)Math.Min(view.Version, int.MaxValue),
        };
        if (view.Mode is { } mode) e.AddProperty("X-COORDINATION-MODE", mode.Code());
        if (view.Companion is { } c) e.AddProperty("X-COORDINATION-COMPANION-ATTENDS", c.Attends ? "TRUE" : "FALSE");
        calendar.Events.Add(e);
        return new CalendarSerializer().SerializeToString(calendar) ?? "";
    }

    private static string? LocationOf(AppointmentView v)
    {
        if (v.Mode is Mode.Phone or Mode.Video) return ModeLabels[v.Mode.Value];
        if (v.Mode is Mode.HomeVisit) return ModeLabels[Mode.HomeVisit];
        if (v.Place is not { } p) return null;
        var town = string.Join(" ", new[] { p.PostalCode, p.Commune }.Where(s => !string.IsNullOrWhiteSpace(s)));
        return string.Join(", ", new[] { p.Name, p.AddressLine, town }.Where(s => !string.IsNullOrWhiteSpace(s)));
    }

    private static string DescriptionOf(AppointmentView v)
    {
        var lines = new List<string>();
        if (v.Mode is { } mode) lines.Add("Modalité : " + ModeLabels[mode]);
        if (v.Companion is { Attends: true } c)
        {
            lines.Add(c.DisplayName is { Length: > 0 } name ? $"Accompagnant présent : {name}" : "Un accompagnant sera présent.");
        }
        if (v.Status == AppointmentStatus.Cancelled) lines.Add("Ce rendez-vous est annulé.");
        return string.Join("\n", lines);
    }
}

public static class ExportAppointmentEndpoint
{
    public static RouteGroupBuilder MapExportAppointment(this RouteGroupBuilder group)
    {
        group.MapGet("/appointments/{id:guid}/ics", Handle)
            .WithName("exportAppointmentIcs")
            .WithSummary("Export an appointment as iCalendar")
            .WithDescription("RFC 5545 (text/calendar) with the place's address or the mode, and whether the companion attends; under " +
                "the same rules as reading the appointment (404 otherwise), and recorded in the person's access log.")
            .Produces<string>(StatusCodes.Status200OK, AppointmentIcs.MediaType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, Coordination.Secrecy.Gate.SecrecyGate gate, IDocumentSession session, HttpContext http)
    {
        var (details, view) = await AppointmentReads.ReadOne(id, gate, session, http.RequestAborted);
        if (details is null) return Problems.NotFound();
        session.PropagateTrace();
        await session.SaveChangesAsync(http.RequestAborted);
        if (view is null || view.Stub) return Problems.NotFound();
        return TypedResults.Text(AppointmentIcs.Build(view), AppointmentIcs.MediaType + "; charset=utf-8");
    }
}
