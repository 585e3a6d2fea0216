using TradingKit.Domain;
using TradingKit.Errors;

namespace TradingKit.Core.Tests.Orders;

/// <summary>
/// The client order id's character set, <c>[.A-Z:/a-z0-9_-]</c>, checked character by character, at every position of ids
/// both shorter and longer than the vector width the check runs in.
/// </summary>
public sealed class ClientOrderIdCharacterTests
{
    private const string Allowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:/_-";

    // As code points, so the test names stay printable: space ! # + @ \ , ; = ~ ` " ' NUL TAB DEL [ {, then é, dotted capital I,
    // dotless i, the Kelvin sign, fullwidth A and 0, no-break space, hyphen, a lone high surrogate.
    public static TheoryData<int> Refused() =>
    [
        0x20, 0x21, 0x23, 0x2b, 0x40, 0x5c, 0x2c, 0x3b, 0x3d, 0x7e, 0x60, 0x22, 0x27, 0x00, 0x09, 0x7f, 0x5b, 0x7b,
        0xe9, 0x130, 0x131, 0x212a, 0xff21, 0xff10, 0xa0, 0x2010, 0xd83d,
    ];

    [Fact]
    public void EveryAllowedCharacter_IsAccepted_AtEveryPosition()
    {
        foreach (var c in Allowed)
        {
            foreach (var length in new[] { 1, 7, 8, 15, 16, 17, 31, 36 })
            {
                for (var at = 0; at < length; at++)
                {
                    var text = new string('a', at) + c + new string('a', length - at - 1);
                    Assert.Equal(text, new ClientOrderId(text).Value);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void AnyOtherCharacter_IsRefused_AtEveryPosition(int code)
    {
        var c = (char)code;
        foreach (var length in new[] { 1, 7, 8, 15, 16, 17, 31, 36 })
        {
            for (var at = 0; at < length; at++)
            {
                var text = new string('a', at) + c + new string('a', length - at - 1);
                var ex = Assert.Throws<TradingKitException>(() => new ClientOrderId(text));
                Assert.Equal(ErrorCodes.InvalidIdentifier, ex.Code);
            }
        }
    }

    [Fact]
    public void EveryCharacterOfTheBasicPlane_IsAcceptedExactlyWhenListed()
    {
        for (var code = 1; code <= char.MaxValue; code++)
        {
            var c = (char)code;
            var text = "tk-" + c + "-padding-to-vector";
            if (Allowed.Contains(c, StringComparison.Ordinal))
            {
                Assert.Equal(text, new ClientOrderId(text).Value);
            }
            else
            {
                Assert.Throws<TradingKitException>(() => new ClientOrderId(text));
            }
        }
    }
}
