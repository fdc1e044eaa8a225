using System.Net;
using Appointments.Api.Slots;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Demo;
using Marten;
using Referrals.Contracts;
using Xunit;

namespace Appointments.Tests.Api;

[Collection(AppointmentsCollection.Name)]
public sealed class BookingTests(AppointmentsFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task Book_OnThePersonsBehalf_NeedsTheirBookingGrantToTheBookingBody()
    {
        var person = await NewPerson();
        var (_, motif, _) = await NewSchedule(Caf);
        var slot = await FirstSlot(motif);
        using var adviser = await As(Adviser);

        await AssertProblem(await Post(adviser, "appointments", new { slotId = slot, personId = person }), HttpStatusCode.Conflict, "consent-required");
        // A follow-up grant, or a booking grant to another body, is not a booking grant to France services.
        await Grant(person, FranceServices, purpose: "follow_up_coordination");
        await Grant(person, Caf);
        await AssertProblem(await Post(adviser, "appointments", new { slotId = slot, personId = person }), HttpStatusCode.Conflict, "consent-required");

        await Grant(person, FranceServices);
        var response = await Post(adviser, "appointments", new { slotId = slot, personId = person });
        var created = await Json(response, HttpStatusCode.Created);
        Assert.Equal("booked", created["status"]!.GetValue<string>());
        Assert.Equal("\"1\"", ETag(response));
        Assert.EndsWith($"/appointments/{created["id"]}", response.Headers.Location!.ToString());

        // Both bodies are now involved with the person, written in the booking's own transaction.
        await using var session = Store.QuerySession();
        var involved = await session.Query<InvolvementRecord>().Where(i => i.PersonId == person).ToListAsync();
        Assert.Contains(involved, i => i.BodyId == Caf && i.Kind == Coordination.Secrecy.InvolvementKind.AppointmentHost);
        Assert.Contains(involved, i => i.BodyId == FranceServices && i.Kind == Coordination.Secrecy.InvolvementKind.AppointmentBooker);
    }

    [Fact]
    public async Task Book_ByThePersonForThemself_NeedsNoGrant_ButOnlyForThemself()
    {
        await EnsureDemoPerson();
        var (scheduleId, motif, _) = await NewSchedule(Caf, bookableBy: ["person"]);
        using var person = await As(PersonLogin);
        var slots = await Slots(person, "motif=" + Uri.EscapeDataString(motif));
        var startsAt = slots[0]!["startsAt"]!.GetValue<DateTimeOffset>();

        await AssertProblem(await Post(person, "appointments", new { slotId = slots[0]!["id"]!.GetValue<Guid>(), personId = Guid.CreateVersion7() }),
            HttpStatusCode.Forbidden);
        // The slot named by its schedule and start.
        var created = await Json(await Post(person, "appointments", new { scheduleId, startsAt, personId = DemoData.Person }), HttpStatusCode.Created);
        Assert.Equal(slots[0]!["id"]!.GetValue<Guid>(), created["slotId"]!.GetValue<Guid>());
        await AssertProblem(await Post(person, "appointments", new { scheduleId, startsAt, personId = DemoData.Person }), HttpStatusCode.Conflict,
            "already-booked");
    }

    [Fact]
    public async Task Book_ACollectiveSession_TakesCapacityPeople_ThenSlotFull()
    {
        var (_, motif, _) = await NewSchedule(Caf, capacity: 2);
        var slot = await FirstSlot(motif);
        using var adviser = await As(Adviser);
        var people = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var p = await NewPerson();
            await Grant(p, FranceServices);
            people.Add(p);
        }

        await Book(adviser, slot, people[0]);
        await AssertProblem(await Post(adviser, "appointments", new { slotId = slot, personId = people[0] }), HttpStatusCode.Conflict, "already-booked");
        var slots = await Slots(adviser, "motif=" + Uri.EscapeDataString(motif));
        Assert.Equal(1, slots.Single(s => s!["id"]!.GetValue<Guid>() == slot)!["free"]!.GetValue<int>());
        await Book(adviser, slot, people[1]);
        await AssertProblem(await Post(adviser, "appointments", new { slotId = slot, personId = people[2] }), HttpStatusCode.Conflict, "slot-full");
        Assert.DoesNotContain(await Slots(adviser, "motif=" + Uri.EscapeDataString(motif)), s => s!["id"]!.GetValue<Guid>() == slot);
    }

    [Fact]
    public async Task Book_TheLastPlacesFromTwoHosts_ExactlyTheCapacityWins()
    {
        const int capacity = 2;
        const int contenders = 8;
        var (_, motif, _) = await NewSchedule(Caf, capacity: capacity);
        var slot = await FirstSlot(motif);
        var people = new List<Guid>();
        for (var i = 0; i < contenders; i++)
        {
            var p = await NewPerson();
            await Grant(p, FranceServices);
            people.Add(p);
        }

        var second = Fixture.NewHost("appointments", 0);
        await second.StartAsync();
        try
        {
            var token = await Fixture.Tokens.User(Adviser);
            using var one = Fixture.Client(Fixture.Appointments, token);
            using var two = Fixture.Client(second, token);
            using var start = new SemaphoreSlim(0);
            var attempts = people.Select(async (p, i) =>
            {
                await start.WaitAsync();
                return await Post(i % 2 == 0 ? one : two, "appointments", new { slotId = slot, personId = p });
            }).ToList();
            start.Release(contenders);
            var answers = await Task.WhenAll(attempts);

            Assert.Equal(capacity, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
            foreach (var refused in answers.Where(a => a.StatusCode != HttpStatusCode.Created))
            {
                await AssertProblem(refused, HttpStatusCode.Conflict, "slot-full");
            }
            await using var session = Store.QuerySession();
            var seats = await session.Events.AggregateStreamAsync<SlotSeats>(slot);
            Assert.Equal(capacity, seats!.Seats.Count);
            Assert.Equal(0, (await session.LoadAsync<SlotEntry>(slot))!.Free);
            Assert.Equal(capacity, await session.Query<Appointments.Api.Bookings.GettingDetails.AppointmentDetails>().CountAsync(a => a.SlotId == slot));
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task Book_WithTheSameIdempotencyKey_GivesTheFirstAnswerAgain()
    {
        var person = await NewPerson();
        await Grant(person, FranceServices);
        var (_, motif, _) = await NewSchedule(Caf);
        var slot = await FirstSlot(motif);
        using var adviser = await As(Adviser);
        var key = Guid.NewGuid().ToString();

        var first = await Json(await Send(adviser, HttpMethod.Post, "appointments", new { slotId = slot, personId = person }, idempotencyKey: key),
            HttpStatusCode.Created);
        var again = await Send(adviser, HttpMethod.Post, "appointments", new { slotId = slot, personId = person }, idempotencyKey: key);
        Assert.Equal(first["id"]!.GetValue<Guid>(), (await Json(again, HttpStatusCode.Created))["id"]!.GetValue<Guid>());
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        await AssertProblem(await Send(adviser, HttpMethod.Post, "appointments", new { slotId = slot, personId = person, note = "autre" },
            idempotencyKey: key), HttpStatusCode.Conflict, "idempotency-key-reused");
        await using var session = Store.QuerySession();
        Assert.Equal(1, await session.Query<Appointments.Api.Bookings.GettingDetails.AppointmentDetails>().CountAsync(a => a.PersonId == person));
    }

    [Fact]
    public async Task Book_WithAReferral_NeedsOneOfThisPersonToTheReceivingBodyStillOpen_AndSaysTheSameOtherwise()
    {
        var person = await NewPerson();
        await Grant(person, FranceServices);
        var (_, motif, _) = await NewSchedule(Caf, capacity: 5);
        var slot = await FirstSlot(motif);
        var now = DateTimeOffset.UtcNow;

        var toCaf = Guid.CreateVersion7();
        var declined = Guid.CreateVersion7();
        var toCcas = Guid.CreateVersion7();
        var someoneElses = Guid.CreateVersion7();
        await Publish(new ReferralSent(toCaf, person, Ccas, "s", Caf, null, "acces-aux-droits", "rsa", "normal", Day(20), null, now));
        await Publish(new ReferralSent(declined, person, Ccas, "s", Caf, null, "acces-aux-droits", "rsa", "normal", Day(20), null, now));
        await Publish(new ReferralDeclined(declined, person, Caf, "no_capacity", now));
        await Publish(new ReferralSent(toCcas, person, Caf, "s", Ccas, null, "acces-aux-droits", null, "normal", Day(20), null, now));
        await Publish(new ReferralSent(someoneElses, Guid.CreateVersion7(), Ccas, "s", Caf, null, "acces-aux-droits", null, "normal", Day(20), null, now));
        await Eventually(async s => (await s.LoadManyAsync<Appointments.Api.Copies.ReferralCopy>(toCaf, declined, toCcas, someoneElses)).Count == 4
            && (await s.LoadAsync<Appointments.Api.Copies.ReferralCopy>(declined))!.Status == "declined", "the referral copies");

        using var adviser = await As(Adviser);
        var errors = new List<string>();
        foreach (var referralId in new[] { Guid.CreateVersion7(), declined, toCcas, someoneElses })
        {
            var refused = await Post(adviser, "appointments", new { slotId = slot, personId = person, referralId });
            var problem = await Json(refused, HttpStatusCode.BadRequest);
            errors.Add(problem["errors"]!["referralId"]![0]!.GetValue<string>());
        }
        Assert.Single(errors.Distinct());

        var (id, _) = await Book(adviser, slot, person, referralId: toCaf);
        var appointment = await Get(adviser, $"appointments/{id}");
        Assert.Equal(toCaf, appointment["referralId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task Book_WithACompanion_MustBeOneOfThePersonsCurrentCompanions()
    {
        var person = await NewPerson();
        await Grant(person, FranceServices);
        var companion = await Companion(person);
        var otherPersons = await Companion(await NewPerson());
        var notAttending = await Companion(person, attends: false);
        var (_, motif, _) = await NewSchedule(Caf, capacity: 3);
        var slot = await FirstSlot(motif);
        using var adviser = await As(Adviser);

        await AssertInvalid(await Post(adviser, "appointments", new { slotId = slot, personId = person, companionId = otherPersons, companionAttends = true }),
            "companionId");
        await AssertInvalid(await Post(adviser, "appointments", new { slotId = slot, personId = person, companionAttends = true }), "companionId");
        await AssertInvalid(await Post(adviser, "appointments", new { slotId = slot, personId = person, companionId = notAttending, companionAttends = true }),
            "companionAttends");
        await Publish(new Consents.Contracts.CompanionRemoved(companion, person, DateTimeOffset.UtcNow.AddSeconds(-1)));
        await Eventually(async s => await s.LoadAsync<CompanionCopy>(companion) is { RemovedAt: not null }, "the removal");
        await AssertInvalid(await Post(adviser, "appointments", new { slotId = slot, personId = person, companionId = companion, companionAttends = true }),
            "companionId");

        var chosen = await Companion(person);
        var (id, _) = await Book(adviser, slot, person, chosen, companionAttends: true);
        var appointment = await Get(adviser, $"appointments/{id}");
        Assert.True(appointment["companion"]!["attends"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("""{"personId":"PERSON"}""", "slotId")]
    [InlineData("""{"slotId":"SLOT"}""", "personId")]
    [InlineData("""{"slotId":"00000000-0000-0000-0000-000000000001","personId":"PERSON"}""", "slotId")]
    [InlineData("""{"slotId":"SLOT","personId":"PERSON","note":"NOTE"}""", "note")]
    [InlineData("""{"slotId":"SLOT","personId":"not-a-guid"}""", "personId")]
    [InlineData("""{"slotId":"SLOT","personId":"PERSON","companionAttends":"yes"}""", "companionAttends")]
    public async Task Book_WithBadInput_Answers400NamingTheField(string body, string field)
    {
        var person = await NewPerson();
        await Grant(person, FranceServices);
        var (_, motif, _) = await NewSchedule(Caf);
        var slot = await FirstSlot(motif);
        using var adviser = await As(Adviser);
        await AssertInvalid(await Send(adviser, HttpMethod.Post, "appointments", body.Replace("PERSON", person.ToString(), StringComparison.Ordinal)
            .Replace("SLOT", slot.ToString(), StringComparison.Ordinal).Replace("NOTE", new string('x', 501), StringComparison.Ordinal)), field);
    }

    [Fact]
    public async Task Book_ByAnAdministrator_Is403()
    {
        using var admin = await Admin();
        await AssertProblem(await Post(admin, "appointments", new { slotId = Guid.CreateVersion7(), personId = Guid.CreateVersion7() }),
            HttpStatusCode.Forbidden);
    }
}
