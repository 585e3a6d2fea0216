using TradingKit.Stores;

namespace TradingKit.Testing.Stores;

/// <summary>The semantics every <see cref="IConfigStore"/> shares.</summary>
public abstract class ConfigStoreContractTests : StoreContractTests<IConfigStore>
{
    /// <summary>Put: appends versions and the latest wins.</summary>
    [Fact]
    public async Task Put_AppendsVersionsAndTheLatestWins()
    {
        var v1 = await Store.PutAsync("strategy.sma", """{"fast": 5, "slow": 20}""", "web");
        Time.Advance(TimeSpan.FromHours(1));
        var v2 = await Store.PutAsync("strategy.sma", """{"fast": 10, "slow": 30}""", "ops");

        Assert.Equal(new ConfigEntry("strategy.sma", 1, """{"fast": 5, "slow": 20}""", "web", StoreTestData.Start), v1);
        Assert.Equal(new ConfigEntry("strategy.sma", 2, """{"fast": 10, "slow": 30}""", "ops", StoreTestData.Start.AddHours(1)), v2);
        Assert.Equal(v2, await Store.GetAsync("strategy.sma"));
        Assert.Equal([v1, v2], await Store.GetHistoryAsync("strategy.sma"));
    }

    /// <summary>Put: keeps the json text exactly.</summary>
    [Fact]
    public async Task Put_KeepsTheJsonTextExactly()
    {
        const string Text = """{ "z" : [1, 2.50, "x"],  "a":{"b":null} }""";

        await Store.PutAsync("k", Text, "web");

        Assert.Equal(Text, (await Store.GetAsync("k"))!.ValueJson);
    }

    /// <summary>Put: with a stale expected version, throws typed conflict and writes nothing.</summary>
    [Fact]
    public async Task Put_WithAStaleExpectedVersion_ThrowsTypedConflictAndWritesNothing()
    {
        await Store.PutAsync("k", "1", "web", expectedVersion: 0);
        await Store.PutAsync("k", "2", "web", expectedVersion: 1);

        var conflict = await Assert.ThrowsAsync<ConfigVersionConflictException>(async () => await Store.PutAsync("k", "3", "web", expectedVersion: 1));

        Assert.Equal(("CONFIG_VERSION_CONFLICT", 1L, 2L), (conflict.Code, conflict.Expected, conflict.Actual));
        Assert.Equal(2, (await Store.GetHistoryAsync("k")).Count);
    }

    /// <summary>Put: expecting an existing version of a new key, conflicts.</summary>
    [Fact]
    public async Task Put_ExpectingAnExistingVersionOfANewKey_Conflicts()
    {
        await Assert.ThrowsAsync<ConfigVersionConflictException>(async () => await Store.PutAsync("new", "1", "web", expectedVersion: 3));

        Assert.Null(await Store.GetAsync("new"));
        Assert.Empty(await Store.ListLatestAsync());
    }

    /// <summary>Put: by concurrent writers at the same version, exactly one wins.</summary>
    [Fact]
    public async Task Put_ByConcurrentWritersAtTheSameVersion_ExactlyOneWins()
    {
        await Store.PutAsync("k", "0", "web");

        var outcomes = await RaceAsync(6, async i =>
        {
            try
            {
                await Store.PutAsync("k", i.ToString(System.Globalization.CultureInfo.InvariantCulture), "w" + i, expectedVersion: 1);
                return true;
            }
            catch (ConfigVersionConflictException)
            {
                return false;
            }
        });

        Assert.Single(outcomes, o => o);
        Assert.Equal([1L, 2], (await Store.GetHistoryAsync("k")).Select(e => e.Version));
    }

    /// <summary>Put: without expected version, from many writers, numbers versions without gaps.</summary>
    [Fact]
    public async Task Put_WithoutExpectedVersion_FromManyWriters_NumbersVersionsWithoutGaps()
    {
        await RaceAsync(6, async i => await Store.PutAsync("k", "1", "w" + i));

        Assert.Equal([1L, 2, 3, 4, 5, 6], (await Store.GetHistoryAsync("k")).Select(e => e.Version));
    }

    /// <summary>Put: malformed json, is refused.</summary>
    [Fact]
    public async Task Put_MalformedJson_IsRefused()
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.PutAsync("k", "{not json", "web"));

        Assert.Null(await Store.GetAsync("k"));
    }

    /// <summary>List latest: returns the latest of each key ordered by key.</summary>
    [Fact]
    public async Task ListLatest_ReturnsTheLatestOfEachKeyOrderedByKey()
    {
        await Store.PutAsync("b", "1", "web");
        await Store.PutAsync("a", "1", "web");
        await Store.PutAsync("b", "2", "web");

        var latest = await Store.ListLatestAsync();

        Assert.Equal([("a", 1L), ("b", 2L)], latest.Select(e => (e.Key, e.Version)));
        Assert.Empty(await Store.GetHistoryAsync("missing"));
    }
}
