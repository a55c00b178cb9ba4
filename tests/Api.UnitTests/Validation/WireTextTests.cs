using Chat.Domain.Validation;

namespace Chat.UnitTests.Validation;

public sealed class WireTextTests
{
    [Theory]
    [InlineData("", true)]
    [InlineData("plain text", true)]
    [InlineData("emoji \U0001F600 pair", true)]
    [InlineData("tab\tand\nnewline", true)]
    [InlineData("a\0b", false)]
    [InlineData("\0", false)]
    public void IsStorable_RefusesNul(string value, bool expected) =>
        Assert.Equal(expected, WireText.IsStorable(value));

    // Surrogates are built in code: a lone surrogate in an attribute does not survive compilation.
    [Theory]
    [InlineData(0xD83D, -1, false)] // lone high at the end
    [InlineData(0xD83D, 'x', false)] // high followed by a non-surrogate
    [InlineData(0xDE00, 'x', false)] // lone low
    [InlineData(0xDE00, 0xD83D, false)] // reversed pair
    [InlineData(0xD83D, 0xDE00, true)] // a real pair (an emoji)
    public void IsStorable_RefusesUnpairedSurrogates(int first, int second, bool expected)
    {
        var value = "text " + (char)first + (second < 0 ? "" : ((char)second).ToString());

        Assert.Equal(expected, WireText.IsStorable(value));
    }

    [Fact]
    public void FirstUnstorable_PointsAtTheOffendingCharacter() =>
        Assert.Equal(3, WireText.FirstUnstorable("abc\0"));
}
