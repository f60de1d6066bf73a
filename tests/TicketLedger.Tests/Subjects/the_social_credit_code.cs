using TicketLedger.Subjects;

namespace TicketLedger.Tests.Subjects;

/// <summary>Expected values were computed by hand from GB 32100-2015 and GB 11714, not by the class under test.</summary>
public sealed class the_social_credit_code
{
    [Theory]
    [InlineData("91350100M000100Y43")] // the example printed in guides to the standard
    [InlineData("91330106MA2CDE1FX7")] // organisation check digit 10 → X
    [InlineData("91330106100000040F")] // organisation check digit 11 → 0
    [InlineData("91330106MA2H0B5X8X")] // check character X
    [InlineData("913301062000004350")] // check character 0
    [InlineData("52330108512398745P")] // a social organisation (5…) rather than an enterprise (9…)
    public void accepts_codes_whose_both_checks_hold(string code) => Assert.True(SocialCreditCode.IsValid(code));

    [Theory]
    [InlineData("91350100M000100Y44", "wrong check character")]
    [InlineData("91350100M000100Y56", "wrong organisation check digit, check character recomputed to match")]
    [InlineData("91350100M000100Y4", "17 characters")]
    [InlineData("91350100M000100Y433", "19 characters")]
    [InlineData("91350100I000100Y43", "I is not in the charset")]
    [InlineData("91350100O000100Y43", "O is not in the charset")]
    [InlineData("91350100M000100S43", "S is not in the charset")]
    [InlineData("91350100m000100y43", "lower case is not the code until normalised")]
    [InlineData("91350100M000100Y4 ", "a blank is not a code character")]
    [InlineData("", "empty")]
    public void refuses_codes_that_break_the_standard(string code, string why) => Assert.False(SocialCreditCode.IsValid(code), why);

    [Fact]
    public void a_null_code_is_not_valid() => Assert.False(SocialCreditCode.IsValid(null));

    [Fact]
    public void normalising_makes_a_typed_code_valid() => Assert.True(SocialCreditCode.IsValid(SocialCreditCode.Normalize(" 91350100m000100y43 ")));

    [Theory]
    [InlineData("91350100M000100Y4", '3')]
    [InlineData("91330106MA2H0B5X8", 'X')]
    [InlineData("91330106200000435", '0')]
    public void computes_the_check_character(string first17, char expected) => Assert.Equal(expected, SocialCreditCode.CheckCharacter(first17));

    [Theory]
    [InlineData("M000100Y", '4')]
    [InlineData("MA2CDE1F", 'X')]
    [InlineData("10000004", '0')]
    [InlineData("12345678", '8')]
    public void computes_the_organisation_check_digit(string body, char expected) => Assert.Equal(expected, SocialCreditCode.OrganisationCheckDigit(body));
}
