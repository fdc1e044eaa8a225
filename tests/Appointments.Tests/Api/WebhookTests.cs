using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Appointments.Api.Webhooks;
using Coordination.Testing;
using Xunit;

namespace Appointments.Tests.Api;

[Collection(AppointmentsCollection.Name)]
public sealed class WebhookTests(AppointmentsFixture fixture) : ApiTest(fixture)
{
    private const string Secret = "s3cr3t-partagé-avec-le-partenaire";

    /// <summary>A partner's receiving end: a real HTTP listener that records every request and fails the first try of one sequence.</summary>
    private sealed class Partner : LoopbackHttpServer
    {
        private readonly long _failOnce;
        private bool _failed;

        public Partner(long failOnceSequence)
        {
            _failOnce = failOnceSequence;
        }

        public ConcurrentQueue<(long Sequence, string Body, string? Signature, int Status)> Requests { get; } = new();

        protected override async Task HandleAsync(HttpListenerContext context)
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var sequence = JsonNode.Parse(body)!["meta"]!["sequence"]!.GetValue<long>();
            var status = 200;
            if (sequence == _failOnce && !_failed)
            {
                _failed = true;
                status = 500;
            }
            Requests.Enqueue((sequence, body, context.Request.Headers["X-Signature"], status));
            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }

    [Fact]
    public async Task Register_ByACoordinatorOfOneBody_Only()
    {
        var request = new { url = "https://partenaire.example/hooks", secret = Secret, topics = new[] { "appointment.created" } };
        using var admin = await Admin();
        await AssertProblem(await Post(admin, "webhook-endpoints", request), HttpStatusCode.Forbidden);
        using var adviser = await As(Adviser);
        await AssertProblem(await Post(adviser, "webhook-endpoints", request), HttpStatusCode.Forbidden);

        using var coordinator = await As(Coordinator);
        await AssertInvalid(await Post(coordinator, "webhook-endpoints", request with { url = "ftp://partenaire.example" }), "url");
        await AssertInvalid(await Post(coordinator, "webhook-endpoints", request with { secret = "court" }), "secret");
        await AssertInvalid(await Post(coordinator, "webhook-endpoints", new { url = request.url, secret = Secret, topics = new[] { "appointment.eaten" } }),
            "topics[0]");
        var created = await Json(await Post(coordinator, "webhook-endpoints", request), HttpStatusCode.Created);
        Assert.Equal(Ccas, created["bodyId"]!.GetValue<Guid>());
        Assert.Null(created["secret"]);

        // Another body's coordinators learn nothing of it.
        await AssertProblem(await adviser.GetAsync(new Uri($"webhook-endpoints/{created["id"]}/events", UriKind.Relative)), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Deliveries_AreSignedOrderedRetriedLoggedAndReplayable()
    {
        await using var partner = new Partner(failOnceSequence: 2);
        using var coordinator = await As(Coordinator);
        var endpoint = await Json(await Post(coordinator, "webhook-endpoints", new
        {
            url = $"http://127.0.0.1:{partner.Port}/hooks/rdv",
            secret = Secret,
            topics = WebhookTopics.All,
        }), HttpStatusCode.Created);
        var endpointId = endpoint["id"]!.GetValue<Guid>();

        // A booking at another body never reaches this endpoint.
        var elsewhere = await NewBooking(host: Caf);

        var person = await NewPerson("Sarah Lambert");
        await Grant(person, Ccas, purpose: "follow_up_coordination", categories: ["identity", "appointments"]);
        var booked = await NewBooking(host: Ccas, personId: person, note: "Note confidentielle pour la CCAS");
        using var adviser = await As(Adviser);
        var other = (await Slots(adviser, "motif=" + Uri.EscapeDataString(booked.Motif))).First(s => s!["id"]!.GetValue<Guid>() != booked.SlotId)!;
        await Json(await Post(adviser, $"appointments/{booked.Id}/reschedule", new { slotId = other["id"]!.GetValue<Guid>() }, "\"1\""), HttpStatusCode.OK);
        await Json(await Post(adviser, $"appointments/{booked.Id}/cancel", new { reasonCode = "no_longer_needed" }, "\"2\""), HttpStatusCode.OK);

        await CoordinationFixture.AssertEventually(() => Task.FromResult(partner.Requests.Count(r => r.Status == 200) >= 3), Patience,
            "three deliveries");
        var requests = partner.Requests.ToList();

        // Order: 1, then 2 failing, then 2 again (retried), then 3; nothing of 3 before 2 went through.
        Assert.Equal([1L, 2L, 2L, 3L], requests.Select(r => r.Sequence));
        Assert.Equal([200, 500, 200, 200], requests.Select(r => r.Status));
        Assert.All(requests, r => Assert.Equal(WebhookSignature.Sign(Secret, r.Body), r.Signature));
        Assert.Equal(requests[1].Body, requests[2].Body);

        var bodies = requests.Where(r => r.Status == 200).Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal(["created", "updated", "destroyed"], bodies.Select(b => b["meta"]!["event"]!.GetValue<string>()));
        Assert.All(bodies, b => Assert.Equal("Appointment", b["meta"]!["model"]!.GetValue<string>()));
        Assert.All(bodies, b => Assert.Equal(booked.Id, b["data"]!["id"]!.GetValue<Guid>()));
        Assert.All(bodies, b => Assert.Equal("Sarah Lambert", b["data"]!["person"]!["displayName"]!.GetValue<string>()));
        Assert.Equal("cancelled", bodies[2]["data"]!["status"]!.GetValue<string>());
        Assert.All(requests, r => Assert.DoesNotContain("Note confidentielle", r.Body, StringComparison.Ordinal));
        Assert.DoesNotContain(requests, r => r.Body.Contains(elsewhere.Id.ToString(), StringComparison.Ordinal));

        // Each delivery is the body's read in the person's access log.
        await CoordinationFixture.AssertEventually(async () =>
            (await Reads(person)).Count(r => r.ReaderSubject == $"webhook-endpoint:{endpointId}" && r.Basis == "booking") == 3, Patience,
            "three logged deliveries");

        // Replay from a cursor gives the same bodies, in order.
        var replay = await Get(coordinator, $"webhook-endpoints/{endpointId}/events?after=1");
        var items = replay["items"]!.AsArray();
        Assert.Equal([2L, 3L], items.Select(i => i!["sequence"]!.GetValue<long>()));
        Assert.Equal(JsonNode.Parse(requests[2].Body)!.ToJsonString(), items[0]!["payload"]!.ToJsonString());
        Assert.Equal(3L, replay["next"]!.GetValue<long>());
        var first = await Get(coordinator, $"webhook-endpoints/{endpointId}/events?limit=1");
        Assert.Equal(1L, first["next"]!.GetValue<long>());
        await AssertInvalid(await coordinator.GetAsync(new Uri($"webhook-endpoints/{endpointId}/events?limit=1000", UriKind.Relative)), "limit");
        await AssertProblem(await coordinator.GetAsync(new Uri($"webhook-endpoints/{Guid.CreateVersion7()}/events", UriKind.Relative)),
            HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ACoordinator_ListsReadsAndRemovesTheBodysEndpoints_AndARemovedEndpointReceivesNothingMore()
    {
        await using var stopped = new Partner(failOnceSequence: -1);
        await using var kept = new Partner(failOnceSequence: -1);
        using var coordinator = await As(Coordinator);
        async Task<Guid> Register(Partner partner) => (await Json(await Post(coordinator, "webhook-endpoints", new
        {
            url = $"http://127.0.0.1:{partner.Port}/hooks", secret = Secret, topics = new[] { WebhookTopics.Created },
        }), HttpStatusCode.Created))["id"]!.GetValue<Guid>();
        var stoppedId = await Register(stopped);
        var keptId = await Register(kept);

        var list = await Get(coordinator, "webhook-endpoints?pageSize=100");
        var listed = list["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()).ToList();
        Assert.Contains(stoppedId, listed);
        Assert.Contains(keptId, listed);
        Assert.DoesNotContain(Secret, list.ToJsonString(), StringComparison.Ordinal);
        var read = await coordinator.GetAsync(new Uri($"webhook-endpoints/{stoppedId}", UriKind.Relative));
        var endpoint = await Json(read, HttpStatusCode.OK);
        Assert.Equal($"http://127.0.0.1:{stopped.Port}/hooks", endpoint["url"]!.GetValue<string>());
        Assert.Null(endpoint["secret"]);
        var etag = ApiCalls.ETag(read);
        Assert.Equal("\"1\"", etag);

        // Only the body's coordinators.
        using var adviser = await As(Adviser);
        await AssertProblem(await adviser.GetAsync(new Uri("webhook-endpoints", UriKind.Relative)), HttpStatusCode.Forbidden);
        await AssertProblem(await Send(adviser, HttpMethod.Delete, $"webhook-endpoints/{stoppedId}", ifMatch: etag), HttpStatusCode.Forbidden);
        using var admin = await Admin();
        await AssertProblem(await admin.GetAsync(new Uri($"webhook-endpoints/{stoppedId}", UriKind.Relative)), HttpStatusCode.Forbidden);
        await AssertProblem(await coordinator.GetAsync(new Uri($"webhook-endpoints/{Guid.CreateVersion7()}", UriKind.Relative)), HttpStatusCode.NotFound);

        // Removing needs the current version.
        await AssertProblem(await Send(coordinator, HttpMethod.Delete, $"webhook-endpoints/{stoppedId}"), HttpStatusCode.PreconditionRequired);
        await AssertProblem(await Send(coordinator, HttpMethod.Delete, $"webhook-endpoints/{stoppedId}", ifMatch: "\"7\""),
            HttpStatusCode.PreconditionFailed);
        var removed = await Send(coordinator, HttpMethod.Delete, $"webhook-endpoints/{stoppedId}", ifMatch: etag);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        await AssertProblem(await coordinator.GetAsync(new Uri($"webhook-endpoints/{stoppedId}", UriKind.Relative)), HttpStatusCode.NotFound);
        await AssertProblem(await coordinator.GetAsync(new Uri($"webhook-endpoints/{stoppedId}/events", UriKind.Relative)), HttpStatusCode.NotFound);
        await AssertProblem(await Send(coordinator, HttpMethod.Delete, $"webhook-endpoints/{stoppedId}", ifMatch: "\"2\""), HttpStatusCode.NotFound);
        var after = (await Get(coordinator, "webhook-endpoints?pageSize=100"))["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()).ToList();
        Assert.DoesNotContain(stoppedId, after);
        Assert.Contains(keptId, after);

        // A booking after the removal reaches the endpoint kept, and never the one removed.
        var booked = await NewBooking(host: Ccas);
        await CoordinationFixture.AssertEventually(() => Task.FromResult(kept.Requests.Any(r => r.Body.Contains(booked.Id.ToString(), StringComparison.Ordinal))),
            Patience, "the booking reaching the endpoint kept");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(stopped.Requests);
    }
}
