using Consents.Api;
using Consents.Api.Access;
using Consents.Api.Companions;
using Consents.Api.Consents;
using Consents.Api.Messaging;
using Consents.Api.Persons;
using Coordination.Secrecy.Gate.Audit;
using JasperFx.Events;
using Xunit;
using Contracts = Consents.Contracts;

namespace Consents.Tests.Deciders;

/// <summary>What leaves Consents: ids, codes and dates; never names beyond the display name, birth dates, contact details or reasons.</summary>
public sealed class ContractMapTests
{
    private static readonly DateTimeOffset Stamp = new(2026, 11, 27, 12, 0, 1, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Person = Guid.NewGuid();
    private static readonly Guid Body = Guid.NewGuid();
    private static readonly Actor Professional = new("sub-1", "social_worker", "Sophie Martin", Body);

    private static object? Map<T>(T data) where T : notnull => new ConsentsContracts().ToContract(new Event<T>(data) { Timestamp = Stamp });

    [Fact]
    public void GivenARegistration_WhenMapped_ThenOnlyTheDisplayNameTravels()
    {
        var contract = Assert.IsType<Contracts.PersonRegistered>(Map(new PersonRegistered(Person, "Marie", "Dupont", new DateOnly(1980, 3, 14),
            "+33612345678", "marie@example.org", "Marie D.", ConsentCollection.InPerson, ConsentGiver.Person, null, Body, Professional, Now)));

        Assert.Equal(new Contracts.PersonRegistered(Person, "Marie D.", Body, "sub-1", Stamp), contract);
    }

    [Fact]
    public void GivenACode_WhenMapped_ThenItsHashAndEndTravel()
    {
        var issued = new ActivationCodeIssued(Person, new string('a', 64), Now, Now.AddDays(30), Professional);

        Assert.Equal(new Contracts.PersonActivationIssued(Person, issued.CodeSha256, Now.AddDays(30), Stamp), Map(issued));
    }

    [Fact]
    public void GivenLedgerEvents_WhenMapped_ThenCodesWithoutTheReason()
    {
        var id = Guid.NewGuid();
        var granted = Assert.IsType<Contracts.ConsentGranted>(Map(new ConsentGranted(id, Person, Body, ["identity", "contacts"], "follow_up_coordination",
            Now, Now.AddMonths(12), ConsentGiver.Person, ConsentCollection.InPerson, Professional)));
        Assert.Equal(["identity", "contacts"], granted.Categories);
        Assert.Equal((id, Person, Body, "follow_up_coordination", Now, Now.AddMonths(12), Stamp),
            (granted.ConsentId, granted.PersonId, granted.BodyId, granted.Purpose, granted.ValidFrom, granted.ValidUntil, granted.OccurredAt));

        Assert.Equal(new Contracts.ConsentRevoked(id, Person, Body, "professional_on_request", Stamp),
            Map(new ConsentRevoked(id, Person, Body, RevokedBy.ProfessionalOnRequest, "Ne veut plus que la CAF sache.", Professional, Now)));
        Assert.Equal(new Contracts.ConsentRevoked(id, Person, Body, "legal_representative", Stamp),
            Map(new ConsentRevoked(id, Person, Body, RevokedBy.LegalRepresentative, "x", Professional, Now)));
        Assert.Equal(new Contracts.ConsentExpired(id, Person, Body, Stamp), Map(new ConsentExpired(id, Person, Body, Now)));
    }

    [Fact]
    public void GivenACompanion_WhenMapped_ThenNoContactDetailsTravel()
    {
        var id = Guid.NewGuid();
        var contract = Assert.IsType<Contracts.CompanionChosen>(Map(new CompanionChosen(id, Person, null, "Lucie Bernard", Relationship.Relative,
            true, true, ["appointments"], Now.AddMonths(6), "+33698765432", "lucie@example.org", Professional, Now)));

        Assert.Equal((id, Person, (string?)null, "Lucie Bernard", "relative", true, true, Now.AddMonths(6), Stamp),
            (contract.CompanionId, contract.PersonId, contract.UserSubject, contract.DisplayName, contract.Relationship, contract.AttendsAppointments,
                contract.ReceivesNotifications, contract.ValidUntil, contract.OccurredAt));
        Assert.Equal(["appointments"], contract.Categories);
        Assert.Equal(new Contracts.CompanionRemoved(id, Person, Stamp), Map(new CompanionRemoved(id, Person, Professional, Now)));
    }

    [Fact]
    public void GivenAnAccessEvent_WhenMapped_ThenPublishedAsPersonDataAccessed()
    {
        var access = Guid.NewGuid();
        var contract = Assert.IsType<Audit.Contracts.PersonDataAccessed>(Map(new PersonDataRead(access, Person, "sub-1", "Sophie Martin", Body,
            "social_worker", "consents", "GET /persons/{id:guid}", ["identity"], [], "consent", null)));

        Assert.Equal((access, Person, "consents", "consent", Stamp), (contract.AccessId, contract.PersonId, contract.Service, contract.Basis, contract.OccurredAt));
    }
}
