using Directory.Api.Bodies;

namespace Directory.Api.Places;

// A place where a body receives people: its premises, or a permanence — a recurring presence elsewhere
// (e.g. Thursdays 9:00–12:00 for eight weeks at a mairie).

public sealed record PermanenceSchedule(DateOnly From, DateOnly To, DayOfWeek[] Days, TimeOnly Opens, TimeOnly Closes);

public sealed record PlaceAdded(Guid PlaceId, Guid BodyId, string Name, Address Address, PermanenceSchedule? Permanence, string AddedBy);

public sealed record Place(Guid Id, Guid BodyId)
{
    public static Place Create(PlaceAdded e) => new(e.PlaceId, e.BodyId);
}
