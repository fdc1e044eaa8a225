using System.Net;
using Coordination.ServiceDefaults.Demo;
using Xunit;

namespace Appointments.Tests.Api;

[Collection(AppointmentsCollection.Name)]
public sealed class ReadingTests(AppointmentsFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task Get_TheReceivingBodySeesWhatTheBookingHolds_WhileItHasAGrant()
    {
        var person = await NewPerson("Inès Moreau");
        var companion = await Companion(person, "Malik Haddad");
        var cafGrant = await Grant(person, Caf);
        var booked = await NewBooking(companionId: companion, companionAttends: true, note: "Apporter l'avis d'imposition", personId: person);

        using var caf = await As(CafAgent);
        var seen = await caf.GetAsync(new Uri($"appointments/{booked.Id}", UriKind.Relative));
        var view = await Json(seen, HttpStatusCode.OK);
        Assert.Equal("\"1\"", ETag(seen));
        Assert.Equal("Inès Moreau", view["person"]!["displayName"]!.GetValue<string>());
        Assert.Equal("Apporter l'avis d'imposition", view["note"]!.GetValue<string>());
        Assert.True(view["companion"]!["attends"]!.GetValue<bool>());
        Assert.Equal("Malik Haddad", view["companion"]!["displayName"]!.GetValue<string>());
        var read = (await LastRead(person));
        Assert.Equal("booking", read.Basis);
        Assert.Equal(Caf, read.ReaderBodyId);
        Assert.Equal(cafGrant, read.ConsentId);

        // Once its grant is revoked the receiving body keeps a stub: ids, dates, status, nothing of the person.
        await Revoke(cafGrant, person, Caf);
        var stub = await Get(caf, $"appointments/{booked.Id}");
        Assert.True(stub["stub"]!.GetValue<bool>());
        Assert.Null(stub["person"]);
        Assert.Null(stub["note"]);
        Assert.Equal("denied", (await LastRead(person)).Basis);
    }

    [Fact]
    public async Task Get_TheBookingBodySeesItUnderItsGrant_AndAnUninvolvedBodyGetsThe404OfAnUnknownId_Logged()
    {
        var booked = await NewBooking();
        using var adviser = await As(Adviser);
        var view = await Get(adviser, $"appointments/{booked.Id}");
        Assert.False(view["stub"]!.GetValue<bool>());
        Assert.Equal("Camille Durand", view["person"]!["displayName"]!.GetValue<string>());
        Assert.Equal("consent", (await LastRead(booked.PersonId)).Basis);

        var before = (await Reads(booked.PersonId)).Count;
        using var mairie = await As(MairieSecretary);
        var denied = await AssertProblem(await mairie.GetAsync(new Uri($"appointments/{booked.Id}", UriKind.Relative)), HttpStatusCode.NotFound);
        var unknown = await AssertProblem(await mairie.GetAsync(new Uri($"appointments/{Guid.CreateVersion7()}", UriKind.Relative)), HttpStatusCode.NotFound);
        Assert.Equal(unknown["title"]!.GetValue<string>(), denied["title"]!.GetValue<string>());
        Assert.Equal(unknown["detail"]!.GetValue<string>(), denied["detail"]!.GetValue<string>());
        await AssertProblem(await mairie.GetAsync(new Uri($"persons/{booked.PersonId}/appointments", UriKind.Relative)), HttpStatusCode.NotFound);
        using var admin = await Admin();
        await AssertProblem(await admin.GetAsync(new Uri($"appointments/{booked.Id}", UriKind.Relative)), HttpStatusCode.NotFound);

        var reads = await Reads(booked.PersonId);
        Assert.Equal(before + 3, reads.Count);
        Assert.All(reads.Skip(before), r => Assert.Equal("denied", r.Basis));
        Assert.Contains(reads.Skip(before), r => r.ReaderBodyId == Mairie);
    }

    [Fact]
    public async Task Get_AtASensitiveBody_OnlyThePersonAndTheTwoBodies_AndOnlyThePersonGetsTheStreetAddress()
    {
        await EnsureDemoPerson();
        var shelter = await SensitiveBody();
        var place = await Place(shelter, line: "3 impasse discrète");
        var (_, motif, _) = await NewSchedule(shelter, placeId: place);
        // CCAS is involved with the person (it registered them) and holds a follow-up grant: it still may not see this one.
        await Grant(DemoData.Person, FranceServices);
        await Grant(DemoData.Person, Ccas, purpose: "follow_up_coordination", categories: ["identity", "appointments"]);
        using var adviser = await As(Adviser);
        var (id, _) = await Book(adviser, await FirstSlot(motif), DemoData.Person);

        using var person = await As(PersonLogin);
        var own = await Get(person, $"appointments/{id}");
        Assert.Equal("3 impasse discrète", own["place"]!["addressLine"]!.GetValue<string>());
        Assert.Equal("self", (await LastRead(DemoData.Person)).Basis);

        var booker = await Get(adviser, $"appointments/{id}");
        Assert.Null(booker["place"]!["addressLine"]);
        Assert.True(booker["place"]!["addressWithheld"]!.GetValue<bool>());

        using var coordinator = await As(Coordinator);
        await AssertProblem(await coordinator.GetAsync(new Uri($"appointments/{id}", UriKind.Relative)), HttpStatusCode.NotFound);
        var list = await Get(coordinator, $"persons/{DemoData.Person}/appointments?pageSize=100");
        Assert.DoesNotContain(list["items"]!.AsArray(), a => a!["id"]!.GetValue<Guid>() == id);
        var mine = await Get(person, $"persons/{DemoData.Person}/appointments?pageSize=100");
        Assert.Contains(mine["items"]!.AsArray(), a => a!["id"]!.GetValue<Guid>() == id);
    }

    [Fact]
    public async Task Get_TheCompanionSeesItAsThePersonGrantedThem()
    {
        var person = await NewPerson();
        await Companion(person, "Marc Lefèvre", subject: await SubjectOf(PeerWorker), categories: ["appointments"]);
        var booked = await NewBooking(personId: person);

        using var peer = await As(PeerWorker);
        var view = await Get(peer, $"appointments/{booked.Id}");
        Assert.Equal(booked.Motif, view["motif"]!.GetValue<string>());
        Assert.Null(view["note"]);
        Assert.Equal("companion", (await LastRead(person)).Basis);

        var other = await NewBooking();
        await AssertProblem(await peer.GetAsync(new Uri($"appointments/{other.Id}", UriKind.Relative)), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_ThePersonsAppointments_AppendsExactlyOneRead()
    {
        var booked = await NewBooking();
        var before = (await Reads(booked.PersonId)).Count;
        using var adviser = await As(Adviser);
        var page = await Get(adviser, $"persons/{booked.PersonId}/appointments");
        Assert.Equal(booked.Id, page["items"]![0]!["id"]!.GetValue<Guid>());
        Assert.Equal(1, page["total"]!.GetValue<int>());
        Assert.Equal(before + 1, (await Reads(booked.PersonId)).Count);
    }
}
