using Directory.Api.Formats;
using Xunit;

namespace Directory.Tests.Deciders;

public sealed class OpeningHoursTests
{
    [Theory]
    [InlineData("Mo-Fr 08:30-12:30; PH off", "Mo-Fr 08:30-12:30; PH off")]
    [InlineData("Mo,We,Fr 09:00-12:00,14:00-17:30", "Mo,We,Fr 09:00-12:00,14:00-17:30")]
    [InlineData("Mo-Th 08:00-12:00;Fr 08:00-11:00 ;  Sa,Su off", "Mo-Th 08:00-12:00; Fr 08:00-11:00; Sa,Su off")]
    [InlineData("08:00-18:00", "08:00-18:00")]
    [InlineData("Mo-Su 00:00-24:00", "Mo-Su 00:00-24:00")]
    [InlineData("Tu 14:00-17:00;", "Tu 14:00-17:00")]
    [InlineData("Mo-We,Fr 09:00-12:00", "Mo-We,Fr 09:00-12:00")]
    public void GivenARuleInTheSubset_WhenParsed_ThenAcceptedAndNormalised(string text, string normalised)
    {
        Assert.True(OpeningHours.TryParse(text, out var rules, out var error), error);
        Assert.Equal(normalised, OpeningHours.Normalize(rules));
    }

    [Fact]
    public void GivenWeekdaysAndTimes_WhenParsed_ThenTheRulesSayWhichDaysAndHours()
    {
        Assert.True(OpeningHours.TryParse("Mo-Fr 08:30-12:30,13:30-17:00; Sa off; PH off", out var rules, out _));
        Assert.Equal(3, rules.Count);
        Assert.Equal([new OpeningHours.DayRange(0, 4)], rules[0].Days);
        Assert.Equal(new TimeOnly(13, 30), rules[0].Times[1].Opens);
        Assert.True(rules[1].Off);
        Assert.True(rules[2].PublicHolidays);
    }

    [Theory]
    [InlineData("Mo-Fr 18:00-08:00")] // past midnight
    [InlineData("Mo-Fr 12:00-12:00")]
    [InlineData("Jan-Mar Mo 10:00-12:00")] // months
    [InlineData("Fr-Mo 10:00-12:00")] // range against week order
    [InlineData("Mo 25:00-26:00")]
    [InlineData("Mo 24:00-24:00")]
    [InlineData("Mo-Fr 08:30+")] // open end
    [InlineData("Mo-Fr 8:30-12:30")] // one-digit hour
    [InlineData("24/7")]
    [InlineData("PH 10:00-12:00")]
    [InlineData("off")]
    [InlineData("Mo-Fr 08:30-12:30;; Sa 09:00-12:00")]
    [InlineData("lundi 9h-12h")]
    [InlineData("")]
    [InlineData("Mo-Fr 08:30-12:30 \"sur rendez-vous\"")]
    public void GivenSomethingOutsideTheSubset_WhenParsed_ThenRefusedWithAReason(string text)
    {
        Assert.False(OpeningHours.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
