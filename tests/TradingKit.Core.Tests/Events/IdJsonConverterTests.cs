using System.Text.Json;
using TradingKit.Domain;
using TradingKit.Events.Json;

namespace TradingKit.Core.Tests.Events;

public sealed class IdJsonConverterTests
{
    private static readonly JsonSerializerOptions Options = new()
    {
        Converters =
        {
            new ClientOrderIdJsonConverter(), new VenueOrderIdJsonConverter(), new TradeIdJsonConverter(), new StrategyIdJsonConverter(),
            new AccountIdJsonConverter(), new SessionIdJsonConverter(), new SymbolJsonConverter(), new CorrelationIdJsonConverter(),
        },
    };

    public static TheoryData<object, string> Ids() => new()
    {
        { new ClientOrderId("tk-abc"), "\"tk-abc\"" },
        { new VenueOrderId("8389765589274"), "\"8389765589274\"" },
        { new TradeId("698759"), "\"698759\"" },
        { new StrategyId("breakout-20d"), "\"breakout-20d\"" },
        { new AccountId("ACC-12345678"), "\"ACC-12345678\"" },
        { new SessionId("s-1"), "\"s-1\"" },
        { new Symbol("BTCUSDT"), "\"BTCUSDT\"" },
        { new CorrelationId(Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7")), "\"7c9e6679-7425-40de-944b-e07fc1f90ae7\"" },
    };

    [Theory]
    [MemberData(nameof(Ids))]
    public void Id_IsWrittenAsItsFullStringValue_AndReadBack(object id, string json)
    {
        var written = JsonSerializer.Serialize(id, id.GetType(), Options);

        Assert.Equal(json, written);
        Assert.Equal(id, JsonSerializer.Deserialize(written, id.GetType(), Options));
    }

    [Theory]
    [InlineData(typeof(ClientOrderId), "\"has spaces\"")]
    [InlineData(typeof(ClientOrderId), "\"0123456789012345678901234567890123456\"")]
    [InlineData(typeof(TradeId), "\"  \"")]
    [InlineData(typeof(Symbol), "42")]
    [InlineData(typeof(AccountId), "true")]
    [InlineData(typeof(CorrelationId), "\"not-a-uuid\"")]
    public void InvalidId_ThrowsJsonException(Type type, string json)
        => Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, type, Options));
}
