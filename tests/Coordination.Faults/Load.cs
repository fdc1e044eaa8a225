using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;

namespace Coordination.Faults;

/// <summary>
/// A well-behaved client: every creating command carries an Idempotency-Key and is retried with the same key after
/// anything that does not say what happened (a transport error, a timeout, a 5xx), until a definite answer or its
/// patience runs out. That is the client the promise is made to.
/// </summary>
public sealed class Client : IDisposable
{
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(150);

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        // A killed service leaves dead pooled connections: keep them short-lived, connect fast or fail fast.
        PooledConnectionLifetime = TimeSpan.FromSeconds(20),
        ConnectTimeout = TimeSpan.FromSeconds(3),
        MaxConnectionsPerServer = 64,
    }) { Timeout = Timeout.InfiniteTimeSpan };

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _tokenGates = new();

    public Client(Tokens tokens) => Tokens = tokens;

    public Tokens Tokens { get; }

    /// <summary>
    /// One token request per login at a time: without it, a burst of commands finding the cached token expired all
    /// run the login flow at once, and Identity's login throttle answers 429.
    /// </summary>
    public async Task<string> TokenAsync(string login)
    {
        var gate = _tokenGates.GetOrAdd(login, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync();
        try
        {
            return login.Contains('@', StringComparison.Ordinal) ? await Tokens.User(login) : await Tokens.Client();
        }
        finally
        {
            gate.Release();
        }
    }

    public static HttpRequestMessage Json(HttpMethod method, Uri uri, object? body, string? idempotencyKey = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    /// <summary>One request with a bearer token; the answer's status, body and whether it was a replay.</summary>
    public async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> SendAsync(HttpRequestMessage request, string? login,
        CancellationToken ct = default)
    {
        if (login is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(login));
        var response = await _http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return (response.StatusCode, body, response);
    }

    /// <summary>
    /// Runs a command to a definite answer: retries (same Idempotency-Key, same body) on transport errors, timeouts
    /// and 5xx, with a capped backoff, for at most <see cref="Patience"/>.
    /// </summary>
    public async Task<CommandRecord> RunAsync(CommandRecord command, string login, Func<HttpRequestMessage> build)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        var started = Stopwatch.StartNew();
        while (true)
        {
            var at = DateTimeOffset.UtcNow;
            var watch = Stopwatch.StartNew();
            try
            {
                using var request = build();
                using var timeout = new CancellationTokenSource(AttemptTimeout);
                var (status, body, response) = await SendAsync(request, login, timeout.Token);
                using (response)
                {
                    var replayed = response.Headers.Contains("Idempotent-Replayed");
                    var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
                    command.Attempts.Enqueue(new Attempt(at, watch.Elapsed.TotalSeconds, (int)status, null, problem, replayed));
                    var code = (int)status;
                    if (code is >= 200 and < 300)
                    {
                        command.Outcome = Outcome.Acknowledged;
                        command.FinalStatus = code;
                        command.AnsweredAt = DateTimeOffset.UtcNow;
                        command.AcknowledgedByReplay = replayed;
                        if (body.Length > 0 && JsonNode.Parse(body) is JsonObject o && o["id"] is { } id) command.CreatedId = id.GetValue<Guid>();
                        else command.CreatedId = command.TargetId;
                        return command;
                    }
                    if (code < 500 && code != 401 && code != 408 && code != 429)
                    {
                        command.Outcome = Outcome.Refused;
                        command.FinalStatus = code;
                        command.AnsweredAt = DateTimeOffset.UtcNow;
                        command.FinalCode = problem && body.Length > 0 ? JsonNode.Parse(body)?["code"]?.GetValue<string>() : null;
                        return command;
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or InvalidOperationException or IOException)
            {
                // Includes the token endpoint being down (InvalidOperationException from Tokens): no answer at all.
                command.Attempts.Enqueue(new Attempt(at, watch.Elapsed.TotalSeconds, null, e.GetType().Name + ": " + Short(e.Message), false, false));
            }
            if (started.Elapsed > Patience)
            {
                command.Outcome = Outcome.Unknown;
                return command;
            }
            await Task.Delay(delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100)));
            delay = TimeSpan.FromMilliseconds(Math.Min(2000, delay.TotalMilliseconds * 2));
        }
    }

    private static string Short(string s) => s.Length > 120 ? s[..120] : s;

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// The steady load: referral and booking commands at a fixed rate, each with its unique token, run to a definite
/// answer concurrently (a command waiting out an outage never holds back the next one).
/// </summary>
public sealed class Load(Client client, World world, Ledger ledger, double perSecond) : IDisposable
{
    public const string Need = "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits";
    private static readonly Uri Referrals = FaultSettings.Service("Referrals").BaseAddress;
    private static readonly Uri Appointments = FaultSettings.Service("Appointments").BaseAddress;

    private readonly ConcurrentBag<Task> _inFlight = [];
    private CancellationTokenSource? _producing;
    private Task? _producer;
    private int _referrals;
    private int _bookings;
    private int _sequence;

    public Ledger Ledger => ledger;

    public void Start(int scenario)
    {
        _producing = new CancellationTokenSource();
        var token = _producing.Token;
        _producer = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / perSecond));
            var i = 0;
            while (await Wait(timer, token))
            {
                _inFlight.Add(i++ % 2 == 0 ? NextReferral(scenario) : NextBooking(scenario));
            }
        }, CancellationToken.None);
    }

    private static async Task<bool> Wait(PeriodicTimer timer, CancellationToken token)
    {
        try
        {
            return await timer.WaitForNextTickAsync(token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Stops sending and waits until every command sent has its definite answer (or ran out of patience).</summary>
    public async Task StopAsync()
    {
        if (_producing is not null) await _producing.CancelAsync();
        if (_producer is not null) await _producer;
        await Task.WhenAll(_inFlight.ToArray());
        _inFlight.Clear();
        _producing?.Dispose();
        _producing = null;
    }

    public void Dispose() => _producing?.Dispose();

    /// <summary>Waits for the commands already sent, without stopping the load.</summary>
    public Task InFlight() => Task.WhenAll(_inFlight.ToArray());

    private Task<CommandRecord> NextReferral(int scenario)
    {
        var n = Interlocked.Increment(ref _referrals);
        return Referral(scenario, world.Persons[n % world.Persons.Count]);
    }

    private Task<CommandRecord> NextBooking(int scenario)
    {
        // Slot first, then person: consecutive bookings land on different slots, and a (person, slot) pair is never
        // reused (a person cannot book one slot twice).
        var n = Interlocked.Increment(ref _bookings);
        var slot = world.Slots[n % world.Slots.Count];
        var person = world.Persons[n / world.Slots.Count % world.Persons.Count];
        return Booking(scenario, person, slot);
    }

    public string NewToken(int scenario, string kind) =>
        $"faults/{scenario}/{kind}/{Interlocked.Increment(ref _sequence)}/{Guid.NewGuid().ToString("N")[..8]}";

    public Task<CommandRecord> Referral(int scenario, Guid person, Guid? toBody = null)
    {
        var command = new CommandRecord
        {
            Scenario = scenario, Kind = CommandKind.Referral, Token = NewToken(scenario, "referral"), IdempotencyKey = Guid.NewGuid().ToString(),
            PersonId = person, SentAt = DateTimeOffset.UtcNow,
        };
        ledger.Add(command);
        var body = new { personId = person, toBodyId = toBody ?? DemoData.CafAude, need = Need, reason = command.Token };
        command.Login = World.SocialWorker;
        command.Build = () => Client.Json(HttpMethod.Post, new Uri(Referrals, "referrals"), body, command.IdempotencyKey);
        return client.RunAsync(command, command.Login, command.Build);
    }

    public Task<CommandRecord> Booking(int scenario, Guid person, Guid slot)
    {
        var command = new CommandRecord
        {
            Scenario = scenario, Kind = CommandKind.Booking, Token = NewToken(scenario, "booking"), IdempotencyKey = Guid.NewGuid().ToString(),
            PersonId = person, SlotId = slot, SentAt = DateTimeOffset.UtcNow,
        };
        ledger.Add(command);
        var body = new { slotId = slot, personId = person, note = command.Token };
        command.Login = World.Adviser;
        command.Build = () => Client.Json(HttpMethod.Post, new Uri(Appointments, "appointments"), body, command.IdempotencyKey);
        return client.RunAsync(command, command.Login, command.Build);
    }

    /// <summary>A transition on a referral at a given version (no retry: scenario 6 wants each answer as it is).</summary>
    public async Task<CommandRecord> Transition(int scenario, Guid referral, Guid person, string action, long ifMatchVersion)
    {
        var command = new CommandRecord
        {
            Scenario = scenario, Kind = CommandKind.Transition, Token = NewToken(scenario, action), IdempotencyKey = "",
            PersonId = person, TargetId = referral, Action = action, SentAt = DateTimeOffset.UtcNow,
        };
        ledger.Add(command);
        var at = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        using var request = Client.Json(HttpMethod.Post, new Uri(Referrals, $"referrals/{referral}/{action}"), new { }, ifMatch: $"\"{ifMatchVersion}\"");
        var (status, body, response) = await client.SendAsync(request, World.CafAgent);
        using (response)
        {
            var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
            command.Attempts.Enqueue(new Attempt(at, watch.Elapsed.TotalSeconds, (int)status, null, problem, false));
            command.FinalStatus = (int)status;
            command.AnsweredAt = DateTimeOffset.UtcNow;
            command.Outcome = (int)status is >= 200 and < 300 ? Outcome.Acknowledged : Outcome.Refused;
            command.CreatedId = referral;
            if (problem) command.FinalCode = JsonNode.Parse(body)?["code"]?.GetValue<string>();
        }
        return command;
    }
}
