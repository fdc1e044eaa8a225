using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Xunit;

namespace Appointments.Tests.Deciders;

/// <summary>
/// Involvement facts reach a service in any order, some twice, several in one command: merged one after the other into
/// one record, every order gives the same involvement (what §4 reads of the record; its date is bookkeeping).
/// </summary>
public sealed class InvolvementFactTests
{
    private static readonly Guid Person = Guid.Parse("0193a0a0-0000-7000-8000-0000000000a1");
    private static readonly Guid Caf = Guid.Parse("0193a0a0-0000-7000-8000-000000000002");
    private static readonly Guid Referral = Guid.Parse("0193a0a0-0000-7000-8000-0000000000b1");
    private static readonly Guid Member = Guid.Parse("0193a0a0-0000-7000-8000-0000000000c1");
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Sets => ["involved, restricted, involved again", "contact person designated, ended, designated again"];

    [Theory]
    [MemberData(nameof(Sets))]
    public void EveryOrderOfTheFacts_GivesTheSameRecord(string set)
    {
        var facts = FactsOf(set);
        var results = Permutations(facts).Select(order => order.Aggregate((InvolvementRecord?)null, (r, f) => f.MergeInto(r) ?? r)?.ToInvolvement()).ToList();

        Assert.All(results, r => Assert.Equal(results[0], r));
        Assert.NotNull(results[0]);
    }

    [Fact]
    public void ARestriction_OutlivesAnyLaterInvolvement_AndKeepsTheLatestDate()
    {
        var restricted = InvolvementFact.RestrictedToItem(Person, Caf, InvolvementKind.ReferralReceiver, Referral, T0.AddDays(1)).MergeInto(null)!;
        Assert.Null(InvolvementFact.Involved(Person, Caf, InvolvementKind.ReferralReceiver, Referral, T0.AddDays(5)).MergeInto(restricted));

        var involvedLater = InvolvementFact.Involved(Person, Caf, InvolvementKind.ReferralReceiver, Referral, T0.AddDays(5)).MergeInto(null)!;
        var narrowed = InvolvementFact.RestrictedToItem(Person, Caf, InvolvementKind.ReferralReceiver, Referral, T0.AddDays(1)).MergeInto(involvedLater)!;
        Assert.Equal((true, true, T0.AddDays(5)), (narrowed.ItemOnly, narrowed.Active, narrowed.AsOf));
    }

    [Fact]
    public void AFactAlreadyKnown_ChangesNothing()
    {
        var involved = InvolvementFact.Involved(Person, Caf, InvolvementKind.ReferralSender, Referral, T0);
        var record = involved.MergeInto(null)!;

        Assert.Null(involved.MergeInto(record));
        Assert.Null(InvolvementFact.Involved(Person, Caf, InvolvementKind.ReferralSender, Referral, T0.AddDays(-1)).MergeInto(record));
        var ended = InvolvementFact.ContactPerson(Person, Caf, Member, active: false, T0).MergeInto(null)!;
        // Designated and ended at the same instant: ended wins.
        Assert.Null(InvolvementFact.ContactPerson(Person, Caf, Member, active: true, T0).MergeInto(ended));
    }

    private static InvolvementFact[] FactsOf(string set) => set switch
    {
        "involved, restricted, involved again" =>
        [
            InvolvementFact.Involved(Person, Caf, InvolvementKind.ReferralReceiver, Referral, T0),
            InvolvementFact.RestrictedToItem(Person, Caf, InvolvementKind.ReferralReceiver, Referral, T0.AddDays(3)),
            InvolvementFact.Involved(Person, Caf, InvolvementKind.ReferralReceiver, Referral, T0.AddDays(5)),
            InvolvementFact.Involved(Person, Caf, InvolvementKind.ReferralReceiver, Referral, T0),
        ],
        _ =>
        [
            InvolvementFact.ContactPerson(Person, Caf, Member, active: true, T0),
            InvolvementFact.ContactPerson(Person, Caf, Member, active: false, T0.AddDays(2)),
            InvolvementFact.ContactPerson(Person, Caf, Member, active: true, T0.AddDays(4)),
            InvolvementFact.ContactPerson(Person, Caf, Member, active: false, T0.AddDays(4)),
        ],
    };

    private static IEnumerable<InvolvementFact[]> Permutations(InvolvementFact[] facts) =>
        facts.Length <= 1
            ? [facts]
            : facts.SelectMany((f, i) => Permutations([.. facts.Take(i), .. facts.Skip(i + 1)]).Select(rest => (InvolvementFact[])[f, .. rest]));
}
