namespace Referrals.Contracts;

// Published by Referrals. Never rename or move: MassTransit names a message by namespace + type.

public record ReferralSent(Guid ReferralId, Guid PersonId, Guid FromBodyId, string SentBySubject, Guid ToBodyId, Guid? ServiceId, string Need, string? TargetRight, string Urgency, DateOnly DueBy, Guid? PreviousReferralId, DateTimeOffset OccurredAt);

public record ReferralReviewStarted(Guid ReferralId, Guid PersonId, Guid ToBodyId, DateTimeOffset OccurredAt);

public record ReferralAccepted(Guid ReferralId, Guid PersonId, Guid ToBodyId, DateTimeOffset OccurredAt);

public record ReferralDeclined(Guid ReferralId, Guid PersonId, Guid ToBodyId, string ReasonCode, DateTimeOffset OccurredAt);

public record ReferralRedirected(Guid ReferralId, Guid PersonId, Guid RedirectingBodyId, Guid NewReferralId, Guid NewToBodyId, string ReasonCode, DateTimeOffset OccurredAt);

public record ReferralClosed(Guid ReferralId, Guid PersonId, Guid ToBodyId, string Outcome, string? TargetRight, DateTimeOffset OccurredAt);

public record ReferralWithdrawn(Guid ReferralId, Guid PersonId, Guid FromBodyId, string ReasonCode, DateTimeOffset OccurredAt);

public record ReferralExpired(Guid ReferralId, Guid PersonId, Guid ToBodyId, DateTimeOffset OccurredAt);

public record ContactPersonDesignated(Guid PersonId, Guid BodyId, Guid MemberId, string MemberDisplayName, DateTimeOffset OccurredAt);

public record ContactPersonEnded(Guid PersonId, Guid BodyId, Guid MemberId, string Reason, DateTimeOffset OccurredAt);

public record AccompanimentLogged(Guid AccompanimentId, Guid PersonId, string AuthorSubject, string Kind, DateOnly On, Guid? BodyId, DateTimeOffset OccurredAt);
