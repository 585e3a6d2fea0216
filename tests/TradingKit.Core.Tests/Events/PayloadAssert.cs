using System.Collections;
using System.Globalization;
using System.Reflection;

namespace TradingKit.Core.Tests.Events;

/// <summary>Reflection helpers: every field of a sample is set, and a round trip preserves every field exactly.</summary>
internal static class PayloadAssert
{
    public static void EveryFieldSet(object value, string path)
    {
        foreach (var property in PublicProperties(value.GetType()))
        {
            var field = property.GetValue(value);
            var where = $"{path}.{property.Name}";
            Assert.False(field is null, $"{where} is null: give the sample a value so the round trip proves it.");
            var type = field!.GetType();
            if (field is string text)
            {
                Assert.False(text.Length == 0, $"{where} is empty.");
            }
            else if (IsLeaf(type))
            {
                Assert.False(field.Equals(Activator.CreateInstance(type)), $"{where} has its default value: give the sample a non-default one.");
            }
            else if (field is IEnumerable items)
            {
                Assert.True(items.Cast<object>().Any(), $"{where} is empty: give the sample at least one element.");
            }
            else
            {
                EveryFieldSet(field, where);
            }
        }
    }

    public static void DeepEqual(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}.");
            return;
        }

        var type = expected.GetType();
        Assert.True(type == actual.GetType(), $"{path}: expected a {type}, got a {actual.GetType()}.");
        switch (expected)
        {
            case decimal d:
                // Same value AND same scale: 1.10 must not come back as 1.1.
                Assert.Equal(d.ToString(CultureInfo.InvariantCulture), ((decimal)actual).ToString(CultureInfo.InvariantCulture));
                return;
            case DateTimeOffset t:
                Assert.Equal(t.UtcTicks, ((DateTimeOffset)actual).UtcTicks);
                Assert.Equal(t.Offset, ((DateTimeOffset)actual).Offset);
                return;
        }

        if (IsLeaf(type))
        {
            Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}.");
        }
        else if (expected is IEnumerable expectedItems)
        {
            var e = expectedItems.Cast<object?>().ToList();
            var a = ((IEnumerable)actual).Cast<object?>().ToList();
            Assert.True(e.Count == a.Count, $"{path}: expected {e.Count} elements, got {a.Count}.");
            for (var i = 0; i < e.Count; i++)
            {
                DeepEqual(e[i], a[i], $"{path}[{i}]");
            }
        }
        else
        {
            foreach (var property in PublicProperties(type))
            {
                DeepEqual(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
            }
        }
    }

    private static IEnumerable<PropertyInfo> PublicProperties(Type type)
        => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract");

    // Values compared with Equals: primitives, enums, strings, time and id structs.
    private static bool IsLeaf(Type type)
        => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(Guid)
            || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(DateOnly)
            || (type.IsValueType && type.Namespace == "TradingKit.Domain");
}
