using System.Text.Json;

namespace Referrals.Api;

// The codes of DESIGN §3, as enums. JSON (HTTP and Marten) writes them in snake_case ("in_review",
// "prime_activite"), which is exactly how DESIGN and the contracts spell them; Code() gives the same string.

/// <summary>Lifecycle: sent → in_review | accepted | declined | redirected | withdrawn | expired; in_review → the same but
/// in_review; accepted → closed | withdrawn; the others are final.</summary>
public enum ReferralStatus { Sent, InReview, Accepted, Declined, Redirected, Withdrawn, Expired, Closed }

public enum Urgency { Normal, Urgent }

/// <summary>The right a referral aims at, where known, so that rights actually opened can be counted.</summary>
public enum TargetRight { Rsa, PrimeActivite, Css, Apl, Aspa, Aah, ChequeEnergie, Other }

public enum DeclineReason { NotEligible, NoCapacity, OutOfTerritory, PersonDeclined, Other }

public enum RedirectReason { BetterSuitedBody, OutOfTerritory, NoCapacity, Other }

public enum WithdrawReason { PersonRequest, NeedMet, SentInError, Other }

public enum ClosingOutcome { RightOpened, NotEligible, PersonUnreachable, Abandoned, Other }

/// <summary>Why a contact person's designation ended; <c>member_left</c> is recorded by Referrals itself.</summary>
public enum ContactPersonEndReason { Handover, MemberLeft, PersonRequest, Other }

public enum AccompanimentKind { AccompaniedToAppointment, HelpedOnlineProcedure, PhoneCall, HomeVisit, Other }

public static class Codes
{
    /// <summary>The code as DESIGN and the contracts spell it (<c>PrimeActivite</c> → <c>prime_activite</c>).</summary>
    public static string Code<T>(this T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static string? Code<T>(this T? value) where T : struct, Enum => value?.Code();

    public static bool IsOpen(this ReferralStatus status) => status is ReferralStatus.Sent or ReferralStatus.InReview;
}

public static class Clock
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    /// <summary>Today in metropolitan France: due dates and accompaniment dates are French calendar days.</summary>
    public static DateOnly Today(this TimeProvider time) => ParisDate(time.GetUtcNow());

    public static DateOnly ParisDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Paris).DateTime);

    /// <summary>The instant a Paris calendar day starts.</summary>
    public static DateTimeOffset StartOf(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Paris.GetUtcOffset(local)).ToUniversalTime();
    }
}
