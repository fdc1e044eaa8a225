using System.Net;
using System.Text.Json.Nodes;
using Appointments.Api.Bookings.GettingDetails;
using Appointments.Api.Copies;
using Appointments.Api.Webhooks.Outbox;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;
using Identity.Api.Accounts.Activating;
using Consents.Api.Persons.GettingDetails;
using Coordination.Secrecy.Gate.Privacy;
using Identity.Api.Accounts;
using Marten;
using Xunit;
using static Privacy.Tests.PrivacyKit;

namespace Privacy.Tests;

/// <summary>
/// Every free-text and identity field a person's follow-up can hold, each carrying <see cref="Marker"/> and the field's
/// name, so that a hit says which field leaked: names, birth date, phone, e-mail, legal representative and mandate,
/// the login they chose, a revocation reason, a companion's name and contact details, referral reasons and the notes of
/// every move of a referral (accepted, closed, declined, redirected, withdrawn), accompaniment notes (a professional's and
/// a companion's), a booking note (and the display name the booking's webhook delivery carried).
/// </summary>
public sealed record Marks(string Marker, DateOnly BirthDate, string? Phone, string? CompanionPhone)
{
    public string Given => Marker + "Given";
    public string Family => Marker + "Family";
    public string Email => Marker.ToLowerInvariant() + "mail@example.org";
    public string Representative => Marker + "Representative";
    public string MandateReference => Marker + "Mandate";
    public string Login => Marker.ToLowerInvariant() + "login";
    public string Revocation => Marker + "Revocation";
    public string Companion => Marker + "Companion";
    public string CompanionEmail => Marker.ToLowerInvariant() + "companion@example.org";
    public string Reason => Marker + "Reason";
    public string Accepted => Marker + "Accepted";
    public string Closed => Marker + "Closed";
    public string Declined => Marker + "Declined";
    public string Redirected => Marker + "Redirected";
    public string Withdrawn => Marker + "Withdrawn";
    public string CompanionNote => Marker + "CompanionNote";
    public string Accompaniment => Marker + "Accompaniment";
    public string Booking => Marker + "Booking";

    /// <summary>A marker no other story shares: letters only, so it is a valid name and login.</summary>
    public static Marks Fresh(string prefix) =>
        new(prefix + Letters(6), new DateOnly(1950 + Random.Shared.Next(40), 1 + Random.Shared.Next(12), 1 + Random.Shared.Next(28)), null, null);
}

/// <summary>
/// A platform user who comes along with the person (a peer worker of the association Pairs, invited through the
/// directory): their display name, which an accompaniment they log carries as its author's name, holds <see cref="Marker"/>.
/// The name is theirs, not the person's: erasing the person masks it in what is about the person (the accompaniment),
/// and leaves it in their own account and membership.
/// </summary>
public sealed record CompanionUser(string Marker)
{
    public string DisplayName => Marker + "Author";
    public string Email => Marker.ToLowerInvariant() + "author@example.org";
}

/// <summary>A person followed by the CCAS, the CAF and France services, as <see cref="Stories.LiveAsync"/> left them.</summary>
/// <param name="MovedReferralIds">The referrals declined, redirected (the original) and withdrawn, each with a note.</param>
/// <param name="CompanionAccompanimentId">The accompaniment their companion user logged, when they have one.</param>
public sealed record Story(Marks Marks, Guid PersonId, Guid[] ConsentIds, Guid CompanionId, IReadOnlyList<Guid> ReferralIds, Guid AccompanimentId,
    Guid AppointmentId, string Password, string AccessToken, string RefreshToken, IReadOnlyList<Guid> MovedReferralIds, Guid? CompanionAccompanimentId)
{
    public const string Need = "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits";
}

public static class Stories
{
    public const string Password = "un mot de passe";

    /// <summary>
    /// A person's whole life in the system, through the APIs: registered by the CCAS with their legal representative's
    /// consent (grants to the CCAS, the CAF, for booking, and one to the mairie revoked with a reason), a companion with
    /// contact details, their own login and a consent they gave themself, referrals to the CAF accepted and closed with a
    /// right opened, and others declined, redirected and withdrawn with notes, the CAF's contact person, an accompaniment,
    /// one logged by a companion user when <paramref name="companionUser"/> is given, a booking with their companion and a
    /// note (delivered to a partner's webhook), and reads of all of it by professionals and by the person.
    /// </summary>
    public static async Task<Story> LiveAsync(PrivacyFixture f, Marks marks, int closedReferrals = 1, CompanionUser? companionUser = null)
    {
        using var consents = await f.UserClient(f.Consents, SocialWorker);
        var registered = await (await consents.Post("persons", new
        {
            givenName = marks.Given,
            familyName = marks.Family,
            birthDate = Iso(marks.BirthDate),
            phone = marks.Phone,
            email = marks.Email,
            consentCollection = "signed_form",
            consentGivenBy = "legal_representative",
            legalRepresentative = new { name = marks.Representative, mandate = "curatelle", mandateReference = marks.MandateReference },
            grants = new object[]
            {
                new { bodyId = DemoData.CcasNarbonne, categories = AllCategories, purpose = Purposes.FollowUpCoordination },
                new { bodyId = DemoData.CafAude, categories = AllCategories, purpose = Purposes.FollowUpCoordination },
                new { bodyId = DemoData.CcasNarbonne, categories = new[] { "identity", "companion", "appointments" }, purpose = Purposes.AppointmentBooking },
                new { bodyId = DemoData.MairieNarbonne, categories = new[] { "identity" }, purpose = Purposes.FollowUpCoordination },
            },
        }, idempotencyKey: "register-" + marks.Marker)).Expect(HttpStatusCode.Created);
        var personId = registered["id"]!.GetValue<Guid>();
        var code = registered["activationCode"]!.GetValue<string>();
        var consentIds = registered["consentIds"]!.AsArray().Select(c => c!.GetValue<Guid>()).ToArray();

        await (await consents.Post($"persons/{personId}/consents/{consentIds[3]}/revoke",
            new { revokedBy = "professional_on_request", reason = marks.Revocation }, ifMatch: "\"1\"")).Expect(HttpStatusCode.OK);
        var companion = await (await consents.Post($"persons/{personId}/companions", new
        {
            displayName = marks.Companion,
            phone = marks.CompanionPhone,
            email = marks.CompanionEmail,
            relationship = "friend",
            attendsAppointments = true,
            categories = new[] { "appointments" },
        }, idempotencyKey: "companion-" + marks.Marker)).Expect(HttpStatusCode.Created);
        var companionId = companion["id"]!.GetValue<Guid>();

        // The person's own login, with the code the CCAS gave them.
        await f.Eventually(async () =>
        {
            await using var session = PrivacyFixture.Store(f.Identity).QuerySession();
            return await session.Query<ActivationCode>().AnyAsync(a => a.PersonId == personId);
        }, "the activation code reaching Identity");
        using (var browser = f.Tokens.Browser())
        {
            var activated = await HtmlForms.Submit(browser, "account/activate", new Dictionary<string, string>
            {
                ["code"] = code, ["login"] = marks.Login, ["password"] = Password, ["passwordConfirmation"] = Password,
            });
            Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        }
        var tokens = await f.Tokens.CodeFlow(marks.Login, Password, "openid offline_access " + Tokens.AllApiScopes);
        using (var self = f.Client(f.Consents, tokens.AccessToken))
        {
            await (await self.Post("me/consents", new { bodyId = DemoData.FranceServicesNarbonne, categories = new[] { "identity" },
                purpose = Purposes.FollowUpCoordination })).Expect(HttpStatusCode.Created);
        }

        // Referrals to the CAF, accepted and closed with the RSA opened.
        await f.Eventually(async () =>
        {
            await using var session = PrivacyFixture.Store(f.Referrals).QuerySession();
            return await session.LoadAsync<GrantCopy>(consentIds[1]) is { Known: true }
                && await session.Query<InvolvementRecord>().AnyAsync(i => i.PersonId == personId && i.BodyId == DemoData.CcasNarbonne);
        }, "the CAF's grant and the CCAS's involvement reaching Referrals");
        using var referrals = await f.UserClient(f.Referrals, SocialWorker);
        using var caf = await f.UserClient(f.Referrals, CafAgent);
        var referralIds = new List<Guid>();
        for (var i = 0; i < closedReferrals; i++)
        {
            var sent = await (await referrals.Post("referrals", new
            {
                personId, toBodyId = DemoData.CafAude, need = Story.Need, targetRight = "rsa", reason = marks.Reason, urgency = "normal",
            })).Expect(HttpStatusCode.Created);
            var referralId = sent["id"]!.GetValue<Guid>();
            await (await caf.Post($"referrals/{referralId}/accept", new { note = marks.Accepted }, ifMatch: "\"1\"")).Expect(HttpStatusCode.OK);
            await (await caf.Post($"referrals/{referralId}/close", new { outcome = "right_opened", targetRight = "rsa", note = marks.Closed },
                ifMatch: "\"2\"")).Expect(HttpStatusCode.OK);
            referralIds.Add(referralId);
        }
        // The other moves of a referral, each with its note: the CAF declines one, redirects one to the CCAS, and the CCAS
        // withdraws one it sent.
        var moved = new List<Guid>();
        foreach (var (by, action, body) in new (HttpClient, string, object)[]
        {
            (caf, "decline", new { reasonCode = "not_eligible", note = marks.Declined }),
            (caf, "redirect", new { toBodyId = DemoData.CcasNarbonne, reasonCode = "better_suited_body", note = marks.Redirected }),
            (referrals, "withdraw", new { reasonCode = "person_request", note = marks.Withdrawn }),
        })
        {
            var sent = await (await referrals.Post("referrals", new
            {
                personId, toBodyId = DemoData.CafAude, need = Story.Need, targetRight = "rsa", reason = marks.Reason, urgency = "normal",
            })).Expect(HttpStatusCode.Created);
            var referralId = sent["id"]!.GetValue<Guid>();
            await (await by.Post($"referrals/{referralId}/{action}", body, ifMatch: "\"1\"")).Expect(HttpStatusCode.OK);
            moved.Add(referralId);
        }
        Guid memberId;
        await using (var session = PrivacyFixture.Store(f.Referrals).QuerySession())
        {
            memberId = (await session.Query<Referrals.Api.Copies.MemberCopy>()
                .Where(m => m.BodyId == DemoData.CafAude && m.Joined && m.LeftOn == null).FirstAsync()).Id;
        }
        await (await caf.Send(HttpMethod.Put, $"persons/{personId}/contact-persons/{DemoData.CafAude}", new { memberId })).Expect(HttpStatusCode.OK);
        var accompaniment = await (await referrals.Post($"persons/{personId}/accompaniments", new
        {
            kind = "phone_call", on = Iso(DateOnly.FromDateTime(DateTime.UtcNow)), note = marks.Accompaniment,
        })).Expect(HttpStatusCode.Created);
        Guid? companionAccompaniment = companionUser is null ? null : await CompanionLogsAsync(f, consents, personId, marks, companionUser);

        // A booking at the CCAS, with the companion and a note, delivered to the CCAS's partner webhook.
        await f.EnsureWebhookAsync();
        var appointmentId = await BookAsync(f, personId, companionId, consentIds[2], marks);

        // Reads by professionals and by the person, each in the access log.
        await (await consents.GetAsync(new Uri($"persons/{personId}", UriKind.Relative))).Expect(HttpStatusCode.OK);
        await (await consents.GetAsync(new Uri(
            $"persons?familyName={Uri.EscapeDataString(marks.Family)}&givenName={Uri.EscapeDataString(marks.Given)}&birthDate={Iso(marks.BirthDate)}",
            UriKind.Relative))).Expect(HttpStatusCode.OK);
        await (await referrals.GetAsync(new Uri($"persons/{personId}/follow-up", UriKind.Relative))).Expect(HttpStatusCode.OK);
        using (var self = f.Client(f.Consents, tokens.AccessToken))
        {
            await (await self.GetAsync(new Uri("me/consent-record", UriKind.Relative))).Expect(HttpStatusCode.OK);
        }
        using (var appointments = await f.UserClient(f.Appointments, SocialWorker))
        {
            await (await appointments.GetAsync(new Uri($"persons/{personId}/appointments", UriKind.Relative))).Expect(HttpStatusCode.OK);
        }

        return new Story(marks, personId, consentIds, companionId, referralIds, accompaniment["id"]!.GetValue<Guid>(), appointmentId, Password,
            tokens.AccessToken!, tokens.RefreshToken!, moved, companionAccompaniment);
    }

    /// <summary>
    /// A peer worker joins the association Pairs in the directory, sets the password of the login Identity invited them
    /// to, is chosen by the CCAS as the person's companion (seeing their accompaniments), and logs a home visit with a note.
    /// </summary>
    private static async Task<Guid> CompanionLogsAsync(PrivacyFixture f, HttpClient consents, Guid personId, Marks marks, CompanionUser user)
    {
        using (var directory = await f.AdminClient(f.Directory))
        {
            await (await directory.Post($"bodies/{DemoData.AssociationPairs}/members", new
            {
                email = user.Email, displayName = user.DisplayName, role = "peer_worker",
            })).Expect(HttpStatusCode.Created);
        }
        await f.Eventually(() => Task.FromResult(f.Invitations.Links.ContainsKey(user.Email)), "the companion's invitation");
        using (var browser = f.Tokens.Browser())
        {
            var set = await HtmlForms.Submit(browser, f.Invitations.Links[user.Email].PathAndQuery.TrimStart('/'), new Dictionary<string, string>
            {
                ["password"] = Password, ["passwordConfirmation"] = Password,
            });
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }
        string subject = "";
        await f.Eventually(async () =>
        {
            await using var session = PrivacyFixture.Store(f.Consents).QuerySession();
            var copy = await session.Query<Consents.Api.Copies.UserCopy>().Where(u => u.Email == user.Email).FirstOrDefaultAsync();
            subject = copy?.Id ?? "";
            return copy is not null;
        }, "the companion's login reaching Consents");
        var chosen = await (await consents.Post($"persons/{personId}/companions", new
        {
            userSubject = subject, relationship = "peer_worker", categories = new[] { "accompaniment" },
        }, idempotencyKey: "companion-user-" + marks.Marker)).Expect(HttpStatusCode.Created);
        var companionId = chosen["id"]!.GetValue<Guid>();
        await f.Eventually(async () =>
        {
            await using var session = PrivacyFixture.Store(f.Referrals).QuerySession();
            return await session.LoadAsync<CompanionCopy>(companionId) is { Known: true };
        }, "the companion user reaching Referrals");
        var tokens = await f.Tokens.CodeFlow(user.Email, Password, "openid " + Tokens.AllApiScopes);
        using var companion = f.Client(f.Referrals, tokens.AccessToken);
        var logged = await (await companion.Post($"persons/{personId}/accompaniments", new
        {
            kind = "home_visit", on = Iso(DateOnly.FromDateTime(DateTime.UtcNow)), note = marks.CompanionNote,
        })).Expect(HttpStatusCode.Created);
        return logged["id"]!.GetValue<Guid>();
    }

    private static async Task<Guid> BookAsync(PrivacyFixture f, Guid personId, Guid companionId, Guid bookingConsentId, Marks marks)
    {
        using var directory = await f.AdminClient(f.Directory);
        var place = await (await directory.Post($"bodies/{DemoData.CcasNarbonne}/places", new
        {
            name = "Accueil " + Letters(6),
            address = new { line = "2 place de l'Hôtel de Ville", postalCode = "11100", communeInsee = "11262", commune = "Narbonne" },
        })).Expect(HttpStatusCode.Created);
        var placeId = place["id"]!.GetValue<Guid>();
        await f.Eventually(async () =>
        {
            await using var session = PrivacyFixture.Store(f.Appointments).QuerySession();
            return await session.LoadAsync<PlaceCopy>(placeId) is not null
                && await session.LoadAsync<GrantCopy>(bookingConsentId) is { Known: true }
                && await session.LoadAsync<CompanionCopy>(companionId) is { Known: true };
        }, "the place, the booking grant and the companion reaching Appointments");

        var motif = "Accès aux droits " + Letters(6);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        using var admin = await f.AdminClient(f.Appointments);
        await (await admin.Post($"bodies/{DemoData.CcasNarbonne}/opening-schedules", new
        {
            placeId, motif, mode = "in_person", durationMinutes = 60, capacity = 1,
            bookableBy = new[] { "body_members", "partner_professionals", "person" }, minimumDelayMinutes = 0, maximumDelayDays = 60,
            recurrence = new
            {
                days = new[] { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday" },
                startTime = "09:00", endTime = "12:00", from = Iso(today.AddDays(2)), to = Iso(today.AddDays(4)),
            },
        })).Expect(HttpStatusCode.Created);
        using var worker = await f.UserClient(f.Appointments, SocialWorker);
        var slots = await worker.GetJson($"slots?motif={Uri.EscapeDataString(motif)}&pageSize=100");
        var slotId = slots["items"]!.AsArray()[0]!["id"]!.GetValue<Guid>();
        var booked = await (await worker.Post("appointments", new
        {
            slotId, personId, companionId, companionAttends = true, note = marks.Booking,
        })).Expect(HttpStatusCode.Created);
        var appointmentId = booked["id"]!.GetValue<Guid>();
        await f.Eventually(async () =>
        {
            await using var session = PrivacyFixture.Store(f.Appointments).QuerySession();
            return await session.Query<WebhookDelivery>().AnyAsync(d => d.AppointmentId == appointmentId && d.DeliveredAt != null && d.ShowsPerson);
        }, "the booking delivered to the partner's webhook with the person's name");
        return appointmentId;
    }

    public static JsonNode? Section(this JsonNode export, string name) => export["sections"]?[name];

    /// <summary>The person's appointment document in Appointments.</summary>
    public static async Task<AppointmentDetails?> AppointmentOf(PrivacyFixture f, Guid appointmentId)
    {
        await using var session = PrivacyFixture.Store(f.Appointments).QuerySession();
        return await session.LoadAsync<AppointmentDetails>(appointmentId);
    }

    /// <summary>Every service has masked the person: Consents' record, the other services' marks completed, Identity's login disabled.</summary>
    public static async Task ErasedEverywhereAsync(PrivacyFixture fixture, Guid personId)
    {
        await fixture.Eventually(async () =>
        {
            await using var consents = PrivacyFixture.Store(fixture.Consents).QuerySession();
            if (await consents.LoadAsync<PersonDetails>(personId) is not { Erased: true }) return false;
            foreach (var host in new[] { fixture.Consents, fixture.Referrals, fixture.Appointments })
            {
                await using var session = PrivacyFixture.Store(host).QuerySession();
                if (await session.LoadAsync<ErasedPerson>(personId) is not { CompletedAt: not null }) return false;
            }
            await using var identity = PrivacyFixture.Store(fixture.Identity).QuerySession();
            var accounts = await identity.Query<Account>().Where(a => a.PersonId == personId).ToListAsync();
            return accounts.Count > 0 && accounts.All(a => a.Disabled && a.Login.StartsWith("(erased)", StringComparison.Ordinal));
        }, "the erasure in every service");
    }

    /// <summary>Polls an export route until the document is there (202 while the services answer).</summary>
    public static async Task<JsonNode> ExportAsync(PrivacyFixture fixture, HttpClient client, string path)
    {
        JsonNode? document = null;
        await fixture.Eventually(async () =>
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                Assert.NotNull(response.Headers.Location);
                Assert.NotNull(response.Headers.RetryAfter);
                return false;
            }
            document = await response.Expect(HttpStatusCode.OK);
            return true;
        }, "the export of " + path);
        return document!;
    }

}
