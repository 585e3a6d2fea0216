using TradingKit.Events;

namespace TradingKit.Core.Tests.Events;

public sealed class EventIdsTests
{
    [Fact]
    public void Next_GivesVersion4VariantRfcGuids_AsNewGuidDoes()
    {
        var source = new EventIdSource();
        for (var i = 0; i < 500; i++)
        {
            var id = source.Next();
            Assert.Equal(4, id.Version);
            Assert.Equal(0x8, id.Variant & 0xC);
        }
    }

    [Fact]
    public void Next_AcrossManyRefills_NeverRepeatsAndIsNeverEmpty()
    {
        var source = new EventIdSource();
        var seen = new HashSet<Guid>();
        for (var i = 0; i < 20_000; i++)
        {
            var id = source.Next();
            Assert.NotEqual(Guid.Empty, id);
            Assert.True(seen.Add(id), $"id {id} repeated at {i}");
        }
    }

    [Fact]
    public void TwoSourcesAndTheSharedOne_DrawDifferentIds()
    {
        var a = new EventIdSource();
        var b = new EventIdSource();
        var ids = new HashSet<Guid>();
        for (var i = 0; i < 1_000; i++)
        {
            Assert.True(ids.Add(a.Next()));
            Assert.True(ids.Add(b.Next()));
            Assert.True(ids.Add(EventIds.New()));
        }
    }
}
