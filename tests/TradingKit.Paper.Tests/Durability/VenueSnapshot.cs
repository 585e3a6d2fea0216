using TradingKit.Brokers;
using TradingKit.Domain;

namespace TradingKit.Paper.Tests.Durability;

/// <summary>Everything a client can ask a venue, as text, so two venues can be compared whole.</summary>
internal static class VenueSnapshot
{
    public static async Task<string> TakeAsync(IBrokerAdapter venue, IEnumerable<ClientOrderId> ids)
    {
        var lines = new List<string>();
        await AddAsync(lines, "open", async () => await venue.GetOpenOrdersAsync());
        await AddAsync(lines, "position", async () => await venue.GetPositionsAsync());
        await AddAsync(lines, "balance", async () => await venue.GetBalancesAsync());
        await AddAsync(lines, "fill", async () => await venue.GetRecentFillsAsync(null, DateTimeOffset.MinValue));
        foreach (var id in ids)
        {
            await AddAsync<VenueOrderState?>(lines, "query " + id, async () => [await venue.QueryOrderAsync(ScriptedSession.Spx, id)]);
        }

        return string.Join('\n', lines);
    }

    // During an injected disconnect queries fail; the failure is part of what is compared.
    private static async Task AddAsync<T>(List<string> lines, string what, Func<Task<IReadOnlyList<T>>> query)
    {
        try
        {
            lines.AddRange((await query()).Select(x => $"{what} {x}"));
        }
        catch (BrokerException ex)
        {
            lines.Add($"{what} failed {ex.Code}");
        }
    }

    public static List<string> Drain(IBrokerAdapter venue)
    {
        var events = new List<string>();
        while (venue.Events.TryRead(out var e))
        {
            events.Add(e.ToString());
        }

        return events;
    }
}
