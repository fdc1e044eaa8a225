using Directory.Api.Bodies;
using Directory.Api.Members;
using Directory.Api.Messaging;
using Directory.Api.Places;
using Directory.Api.ServiceOffers;
using JasperFx.Events;
using Xunit;
using Contracts = Directory.Contracts;

namespace Directory.Tests.Deciders;

public sealed class ContractMapTests
{
    private static readonly DateTimeOffset At = new(2025, 6, 2, 8, 15, 0, TimeSpan.Zero);
    private static readonly Guid BodyId = Guid.CreateVersion7();
    private readonly DirectoryContracts _map = new();

    private object? Map<T>(T data) where T : notnull => _map.ToContract(new Event<T>(data) { Timestamp = At });

    private static BodyProfile Profile => new("CCAS de Narbonne", "ccas-cias", new Address("1 place", "11100", "11262", "Narbonne"), ["11262", "11"], true);

    private static ServiceFields Fields => new("Aide aux démarches", "Accompagnement aux démarches en ligne", "accompagnement",
        ["numerique--acceder-a-des-services-en-ligne"], ["tous-publics"], [], [], [], [], "gratuit", null, null, null, null);

    [Fact]
    public void BodyEvents_MapToBodyContracts_WithTheEventTimestamp()
    {
        var registered = Assert.IsType<Contracts.BodyRegistered>(Map(BodyRegistered.From(BodyId, Profile, "x")));
        Assert.Equal((BodyId, "CCAS de Narbonne", "ccas-cias", "11262", true, At),
            (registered.BodyId, registered.Name, registered.Kind, registered.CommuneInsee, registered.Sensitive, registered.OccurredAt));
        Assert.Equal(["11262", "11"], registered.TerritoryCodes);

        var updated = Assert.IsType<Contracts.BodyUpdated>(Map(new BodyUpdated(BodyId, Profile with { Name = "CCAS" }, "x")));
        Assert.Equal(("CCAS", "11262", true, At), (updated.Name, updated.CommuneInsee, updated.Sensitive, updated.OccurredAt));
        Assert.Equal(["11262", "11"], updated.TerritoryCodes);
    }

    [Fact]
    public void MemberEvents_CarryEmailDisplayNameRoleAndDates()
    {
        var memberId = Guid.CreateVersion7();
        var from = new DateOnly(2025, 6, 2);
        Assert.Equal(new Contracts.MemberJoined(memberId, BodyId, "lea@example.org", "Léa", "coordinator", from, At),
            Map(new MemberJoined(memberId, BodyId, "lea@example.org", "Léa", "coordinator", from, "+33600000000", "x")));
        Assert.Equal(new Contracts.MemberLeft(memberId, BodyId, "lea@example.org", from, At),
            Map(new MemberLeft(memberId, BodyId, "lea@example.org", from, "x")));
    }

    [Fact]
    public void ServiceEvents_MapToServiceListedAndCapacityChanged()
    {
        var id = Guid.CreateVersion7();
        var listed = Assert.IsType<Contracts.ServiceListed>(Map(new ServiceListed(id, BodyId, Fields, new Capacity(CapacityStatus.Waitlist, null, default), "x")));
        Assert.Equal(("Aide aux démarches", "waitlist", At), (listed.Name, listed.CapacityStatus, listed.OccurredAt));
        var relisted = Assert.IsType<Contracts.ServiceListed>(Map(new ServiceUpdated(id, BodyId, Fields with { Name = "Aide numérique" }, CapacityStatus.Full, "x")));
        Assert.Equal(("Aide numérique", "full"), (relisted.Name, relisted.CapacityStatus));
        Assert.Equal(new Contracts.ServiceCapacityChanged(id, BodyId, "available", At),
            Map(new ServiceCapacityChanged(id, BodyId, new Capacity(CapacityStatus.Available, "note", default), "x")));
    }

    [Fact]
    public void PlaceAndPartnerContactEvents_MapToTheirContracts_AndTheEndOfADesignationStaysInside()
    {
        var placeId = Guid.CreateVersion7();
        var permanence = new PermanenceSchedule(new DateOnly(2025, 9, 4), new DateOnly(2025, 10, 23), [DayOfWeek.Thursday], new TimeOnly(9, 0), new TimeOnly(12, 0));
        var place = Assert.IsType<Contracts.PlaceAdded>(Map(new PlaceAdded(placeId, BodyId, "Mairie de Gruissan", new Address("Bd", "11430", "11170", "Gruissan"), permanence, "x")));
        Assert.Equal(("Bd", "11170", At), (place.AddressLine, place.CommuneInsee, place.OccurredAt));
        Assert.Equal([DayOfWeek.Thursday], place.Permanence!.Days);
        Assert.Equal(new TimeOnly(12, 0), place.Permanence.Closes);

        var memberId = Guid.CreateVersion7();
        Assert.Equal(new Contracts.PartnerContactDesignated(BodyId, memberId, At), Map(new PartnerContactDesignated(BodyId, memberId, "x")));
        Assert.Null(Map(new PartnerContactEnded(BodyId, memberId, "handover", "x")));
    }
}
