using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coordination.Secrecy.Gate.Copies;
using Coordination.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Platform.Tests;

public sealed class TracingAndHealthTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task OneTrace_FollowsACommandFromHttpThroughTheOutboxAndRabbitMqToTheConsumer()
    {
        var activities = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "MassTransit" or "Coordination.Outbox" or "Microsoft.AspNetCore" or "Platform.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);

        using var client = await fixture.AdminClient(fixture.Directory);
        // The client's own span: HttpClient propagates it as the request's traceparent.
        using var source = new ActivitySource("Platform.Tests");
        HttpResponseMessage response;
        ActivityTraceId traceId;
        using (var root = source.StartActivity("register a body", ActivityKind.Client)!)
        {
            traceId = root.TraceId;
            response = await client.PostAsJsonAsync("bodies",
                new { name = "Épicerie solidaire de Coursan", kind = "association", address = new { communeInsee = "11106" } });
        }
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        // Seconds normally; a hole in Directory's sequence may hold its outbox up to the 45 s cap (ADR 0008).
        await OutboxProgress.AssertDelivered(fixture.Directory, fixture.Database, async () =>
        {
            await using var session = fixture.Referrals.Services.GetRequiredService<IDocumentStore>().QuerySession();
            return await session.LoadAsync<BodyCopy>(id) is not null;
        }, TimeSpan.FromSeconds(60), "the copy in Referrals");
        await CoordinationFixture.AssertEventually(() => Task.FromResult(activities.Any(a =>
            a.TraceId == traceId && a.Source.Name == "MassTransit" && a.Kind == ActivityKind.Consumer)), TimeSpan.FromSeconds(10),
            "the consume span; seen: " + string.Join(" | ", activities.Select(a => $"{a.Source.Name}/{a.Kind}/{a.DisplayName}/{a.TraceId == traceId}")));

        var trace = activities.Where(a => a.TraceId == traceId).ToList();
        Assert.Contains(trace, a => a.Source.Name == "Microsoft.AspNetCore");
        Assert.Contains(trace, a => a.Source.Name == "Coordination.Outbox");
        Assert.Contains(trace, a => a.Source.Name == "MassTransit" && a.Kind == ActivityKind.Producer);
        Assert.Contains(trace, a => a.Source.Name == "MassTransit" && a.Kind == ActivityKind.Consumer);
        // Spans carry ids, never the body's content.
        Assert.DoesNotContain(trace.SelectMany(a => a.TagObjects), t => t.Value?.ToString()?.Contains("Coursan", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task EveryService_AnswersLiveAndReady_WithItsDependencies()
    {
        foreach (var host in fixture.Hosts)
        {
            using var client = host.Client();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("health/live", UriKind.Relative))).StatusCode);
            var ready = await client.GetFromJsonAsync<JsonElement>("health/ready");
            Assert.Equal("Healthy", ready.GetProperty("status").GetString());
            var checks = ready.GetProperty("checks").EnumerateObject().Select(p => p.Name).ToList();
            Assert.Contains("postgres", checks);
            Assert.Contains("rabbitmq", checks);
            Assert.Contains("masstransit-bus", checks);
            Assert.Contains(checks, c => c.Contains("Daemon", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("bodies?page=x", "page")]
    [InlineData("bodies?pageSize=many", "pageSize")]
    public async Task UnbindableQueryParameter_IsA400NamingIt(string route, string parameter)
    {
        using var client = await fixture.AdminClient(fixture.Directory);
        var response = await client.GetAsync(new Uri(route, UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
    }

    [Fact]
    public async Task UnknownRoute_AndMethodNotAllowed_AnswerProblemDetails()
    {
        using var client = await fixture.AdminClient(fixture.Directory);
        var unknown = await client.GetAsync(new Uri("no-such-route", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }
}
