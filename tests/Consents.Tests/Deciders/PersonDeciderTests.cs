using System.Security.Cryptography;
using System.Text;
using Consents.Api;
using Consents.Api.Access;
using Consents.Api.Consents.Granting;
using Consents.Api.Persons;
using Consents.Api.Persons.Activating;
using Consents.Api.Persons.Registering;
using Xunit;

namespace Consents.Tests.Deciders;

/// <summary>Registration, names and activation codes without a host.</summary>
public sealed class PersonDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Body = Guid.Parse("00000000-0000-0000-0000-000000000001");
    private static readonly Actor Professional = new("sub-1", "social_worker", "Sophie Martin", Body);

    [Fact]
    public void GivenManyCodes_WhenIssued_ThenTenCharactersFromTheAlphabetWithoutLookalikes()
    {
        var codes = Enumerable.Range(0, 2000).Select(_ => ActivationCodes.New()).ToList();

        Assert.All(codes, code =>
        {
            Assert.Equal(10, code.Length);
            Assert.All(code, c => Assert.Contains(c, ActivationCodes.Alphabet));
        });
        Assert.DoesNotContain('0', ActivationCodes.Alphabet);
        Assert.DoesNotContain('O', ActivationCodes.Alphabet);
        Assert.DoesNotContain('1', ActivationCodes.Alphabet);
        Assert.DoesNotContain('I', ActivationCodes.Alphabet);
        Assert.Equal(32, ActivationCodes.Alphabet.Distinct().Count());
        // Every symbol is used: the draw is over the whole alphabet.
        Assert.Equal(ActivationCodes.Alphabet.Order(), codes.SelectMany(c => c).Distinct().Order());
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }

    [Fact]
    public void GivenACode_WhenIssued_ThenOnlyItsSha256IsKept_AndItLasts30Days()
    {
        var issued = ActivationCodes.Issue(Guid.NewGuid(), "ABCDEFGH23", Now, Professional);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("ABCDEFGH23"))), issued.CodeSha256);
        Assert.Equal(64, issued.CodeSha256.Length);
        Assert.Equal(Now.AddDays(30), issued.ExpiresAt);
        Assert.Equal(Now, issued.IssuedAt);
    }

    [Theory]
    [InlineData("  Éloïse   DUPONT ", "eloise dupont")]
    [InlineData("Hélène-Françoise", "helene-francoise")]
    [InlineData("N'GUESSAN", "n'guessan")]
    [InlineData("Çağla", "cagla")]
    [InlineData("Cœur", "cœur")]
    public void GivenANameWithAccentsCaseAndSpaces_WhenFolded_ThenOnlyLettersRemain(string name, string folded) =>
        Assert.Equal(folded, PersonNames.Fold(name));

    [Fact]
    public void GivenTheSamePersonWrittenTwoWays_WhenKeyed_ThenTheKeysMatch()
    {
        var birth = new DateOnly(1980, 3, 14);

        Assert.Equal(PersonNames.MatchKey("Lefèvre", "Zoé", birth), PersonNames.MatchKey(" LEFEVRE ", "zoe", birth));
        Assert.NotEqual(PersonNames.MatchKey("Lefèvre", "Zoé", birth), PersonNames.MatchKey("Lefèvre", "Zoé", birth.AddDays(1)));
        Assert.NotEqual(PersonNames.MatchKey("Martin", "Paul", birth), PersonNames.MatchKey("Paul", "Martin", birth));
    }

    [Theory]
    [InlineData("Marie", "Dupont", "Marie D.")]
    [InlineData(" Jean  Pierre ", "lefèvre", "Jean Pierre L.")]
    [InlineData("Awa", "  ", "Awa")]
    [InlineData("Zoé", "d'Almeida", "Zoé D.")]
    public void GivenNames_WhenShownToOtherBodies_ThenGivenNameAndFamilyInitial(string given, string family, string shown) =>
        Assert.Equal(shown, PersonNames.DisplayName(given, family));

    private static RegisterPersonRequest Request(string? given = "Marie", string? family = "Dupont", DateOnly? birth = null, string? phone = null,
        string? email = null, ConsentGiver? givenBy = null, LegalRepresentativeRequest? representative = null, GrantRequest[]? grants = null) =>
        new(given, family, birth ?? new DateOnly(1980, 3, 14), phone, email, ConsentCollection.InPerson, givenBy, representative,
            grants ?? [new GrantRequest(Body, ["identity"], "follow_up_coordination", null)]);

    private static Dictionary<string, string[]> Validate(RegisterPersonRequest request) =>
        RegisterPersonDecider.Validate(request, Now, new HashSet<Guid> { Body }, out _, out _);

    [Fact]
    public void GivenACompleteRegistration_WhenValidated_ThenNoErrorAndContactsNormalized()
    {
        var errors = RegisterPersonDecider.Validate(Request(phone: "06 12 34 56 78", email: "marie@example.org"), Now, new HashSet<Guid> { Body },
            out var contact, out var untils);

        Assert.Empty(errors);
        Assert.Equal("+33612345678", contact.Phone);
        Assert.Equal("marie@example.org", contact.Email);
        Assert.Equal([Now.AddMonths(12)], untils);
    }

    [Fact]
    public void GivenBadIdentity_WhenValidated_ThenEachFieldIsNamed()
    {
        var errors = Validate(Request(given: " ", family: "123", birth: new DateOnly(2027, 1, 1), phone: "12", email: "marie@"));

        Assert.Equal(["birthDate", "email", "familyName", "givenName", "phone"], errors.Keys.Order());
    }

    [Fact]
    public void GivenNoGrant_WhenValidated_ThenGrantsAreRequired() =>
        Assert.Equal(["grants"], Validate(Request(grants: [])).Keys);

    [Fact]
    public void GivenAConsentByALegalRepresentativeWithoutOne_WhenValidated_ThenTheRepresentativeIsRequired()
    {
        Assert.Equal(["legalRepresentative"], Validate(Request(givenBy: ConsentGiver.LegalRepresentative)).Keys);
        Assert.Equal(["legalRepresentative.mandateReference", "legalRepresentative.name"],
            Validate(Request(givenBy: ConsentGiver.LegalRepresentative, representative: new LegalRepresentativeRequest(" ", Mandate.Tutelle, null))).Keys.Order());
    }

    [Fact]
    public void GivenARegistration_WhenDecided_ThenPersonCodeAndGrantsAreRecorded()
    {
        var personId = Guid.NewGuid();
        var grant = new GrantConsent(Guid.NewGuid(), personId, Body, ["identity"], "follow_up_coordination", Now, Now.AddMonths(12),
            ConsentGiver.Person, ConsentCollection.InPerson, Professional);

        var events = RegisterPersonDecider.Decide(new RegisterPerson(personId, " marie ", "DUPONT  ", new DateOnly(1980, 3, 14), null, null,
            ConsentCollection.InPerson, ConsentGiver.Person, null, [grant], "ABCDEFGH23", Body, Professional, Now));

        Assert.Equal("marie", events.Registered.GivenName);
        Assert.Equal("DUPONT", events.Registered.FamilyName);
        Assert.Equal("marie D.", events.Registered.DisplayName);
        Assert.Equal(Body, events.Registered.RegisteredByBodyId);
        Assert.Equal(ActivationCodes.Hash("ABCDEFGH23"), events.Activation.CodeSha256);
        Assert.Equal(grant.ConsentId, Assert.Single(events.Grants).ConsentId);
    }
}
