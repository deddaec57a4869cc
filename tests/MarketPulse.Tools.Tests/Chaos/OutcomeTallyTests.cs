using MarketPulse.Tools.Chaos;

namespace MarketPulse.Tools.Tests.Chaos;

public sealed class OutcomeTallyTests
{
    private static readonly Dictionary<string, int> NoMessages = new(StringComparer.Ordinal);

    [Fact]
    public void An_item_without_an_outcome_is_lost_and_not_recovered()
    {
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal) { ["a"] = 1 };

        var tally = OutcomeTally.Count(["a", "b"], outcomes, new HashSet<string>(StringComparer.Ordinal), NoMessages);

        Assert.Equal(new OutcomeTally(2, 1, 0, 0, 0), tally);
        Assert.False(tally.Recovered);
    }

    [Fact]
    public void Two_outcome_rows_for_one_item_count_as_duplicated()
    {
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal) { ["a"] = 2, ["b"] = 1 };

        var tally = OutcomeTally.Count(["a", "b"], outcomes, new HashSet<string>(StringComparer.Ordinal), NoMessages);

        Assert.Equal(1, tally.DuplicatedRows);
        Assert.True(tally.Recovered);
    }

    [Fact]
    public void An_analysed_item_needs_a_result_message_and_a_duplicate_link_does_not()
    {
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal) { ["a"] = 1, ["b"] = 1, ["c"] = 1 };
        var analysed = new HashSet<string>(StringComparer.Ordinal) { "a", "b" };
        var messages = new Dictionary<string, int>(StringComparer.Ordinal) { ["a"] = 2 };

        var tally = OutcomeTally.Count(["a", "b", "c"], outcomes, analysed, messages);

        Assert.Equal(new OutcomeTally(3, 0, 0, 1, 1), tally);
        Assert.False(tally.Recovered);
    }

    [Fact]
    public void The_table_shows_each_fault_and_an_unrecovered_one_says_so()
    {
        var text = ChaosTable.Format(
        [
            new ChaosRow("restart Redis", new OutcomeTally(1200, 0, 0, 0, 0), TimeSpan.FromSeconds(9.2)),
            new ChaosRow("SIGKILL analyze-1", new OutcomeTally(800, 3, 0, 0, 0), null),
        ]);

        Assert.Contains("| restart Redis | 1,200 | 0 | 0 | 0 | 0 | 9.2 s |", text, StringComparison.Ordinal);
        Assert.Contains("| SIGKILL analyze-1 | 800 | 3 | 0 | 0 | 0 | not recovered |", text, StringComparison.Ordinal);
    }
}
