using Classifier.Datasets;

namespace Classifier.Tests.Datasets;

public sealed class LabelNameTests
{
    public static TheoryData<string> Refused => new()
    {
        "../x",
        "a/b",
        "a\\b",
        "",
        "..",
        ".",
        ".hidden",
        "a..b",
        new string('a', LabelName.MaxLength + 1),
        "a\tb",
        "a\nb",
        "a\0b",
        "bell\u0007",
        "tshirt\n",  // a trailing newline must not slip past the end anchor
        "tshirt\r\n",
        "\u007Fdel",
        "-dash-first",
        "_underscore-first",
        "with space",
        "C:x",
        "a*b",
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void IsValid_NotAName_IsRefusedWithAMessage(string label)
    {
        bool valid = LabelName.IsValid(label, out var error);

        Assert.False(valid, $"'{label}' must be refused");
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Validate_NotAName_ThrowsArgumentExceptionWithTheReason(string label)
    {
        LabelName.IsValid(label, out var reason);

        var error = Assert.Throws<ArgumentException>(() => LabelName.Validate(label));

        Assert.StartsWith(reason!, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tshirt")]
    [InlineData("t-shirt_2")]
    [InlineData("Größe")]
    [InlineData("v1.2")]
    [InlineData("7")]
    [InlineData("猫")]
    public void IsValid_Name_IsAccepted(string label)
    {
        bool valid = LabelName.IsValid(label, out var error);

        Assert.True(valid, error);
        Assert.Null(error);
        Assert.Equal(label, LabelName.Validate(label));
    }

    [Fact]
    public void IsValid_MaxLength_IsAcceptedAndOneMoreIsRefusedNamingTheLimit()
    {
        var longest = new string('a', LabelName.MaxLength);

        bool longestValid = LabelName.IsValid(longest, out _);
        bool longerValid = LabelName.IsValid(longest + "a", out var error);

        Assert.True(longestValid);
        Assert.False(longerValid);
        Assert.Contains(LabelName.MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture), error);
    }

    [Fact]
    public void IsValid_Null_IsRefused()
    {
        bool valid = LabelName.IsValid(null, out var error);

        Assert.False(valid);
        Assert.Contains("empty", error);
    }
}
