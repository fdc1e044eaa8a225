using System.Diagnostics;
using System.Net;
using Coordination.Bench.Infrastructure;
using Coordination.ServiceDefaults.Demo;

namespace Coordination.Bench.Sections;

/// <summary>
/// Issue 5's revocation delay: the CCAS social worker revokes, at the person's request, the CAF's consent
/// (Consents answers 200); from that answer, the CAF member's GET /persons/{id}/follow-up in Referrals is
/// polled back to back until its first 404. Each trial is a person of its own with a referral to the CAF that
/// the CAF could read just before.
/// </summary>
public static class Revocation
{
    public const string CafReader = "caf-agent@demo";

    public static async Task<(Latency Delay, int Trials, int Failed)> Run(BenchSettings settings, Clients clients, int trials)
    {
        var persons = await Pool.Register(clients, trials, "revocation " + DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        using var referrals = clients.For(settings.Referrals);
        using var consents = clients.For(settings.Consents);
        var delay = new Latency();
        var failed = 0;
        foreach (var person in persons)
        {
            using (var send = await clients.Request(HttpMethod.Post, "referrals", Pool.Registrar,
                       new { personId = person.Id, toBodyId = DemoData.CafAude, need = "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits" }))
            using (var sent = await referrals.SendAsync(send))
            {
                if (sent.StatusCode != HttpStatusCode.Created) { failed++; continue; }
            }
            if (await FollowUpStatus(clients, referrals, person.Id) != HttpStatusCode.OK) { failed++; continue; }

            using (var revoke = await clients.Request(HttpMethod.Post, $"persons/{person.Id}/consents/{person.CafConsent}/revoke", Pool.Registrar,
                       new { revokedBy = "professional_on_request", reason = "Demande de la personne (banc d'essai)" }, ifMatch: "\"1\""))
            using (var revoked = await consents.SendAsync(revoke))
            {
                if (revoked.StatusCode != HttpStatusCode.OK) { failed++; continue; }
            }
            var answered = Stopwatch.StartNew();
            var seen = false;
            while (answered.Elapsed < TimeSpan.FromSeconds(30))
            {
                if (await FollowUpStatus(clients, referrals, person.Id) == HttpStatusCode.NotFound) { seen = true; break; }
                await Task.Delay(2);
            }
            if (seen) delay.Record(answered.Elapsed);
            else failed++;
        }
        return (delay, trials, failed);
    }

    private static async Task<HttpStatusCode> FollowUpStatus(Clients clients, HttpClient referrals, Guid person)
    {
        using var request = await clients.Request(HttpMethod.Get, $"persons/{person}/follow-up", CafReader);
        using var response = await referrals.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return response.StatusCode;
    }
}
