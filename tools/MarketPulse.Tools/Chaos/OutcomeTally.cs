namespace MarketPulse.Tools.Chaos;

/// <summary>
/// What the fault suite checks for a set of accepted items: each has exactly one outcome (analysis row,
/// duplicate link or failure row), and each analysed item exactly one message on the result topic.
/// </summary>
internal sealed record OutcomeTally(int Accepted, int Lost, int DuplicatedRows, int MissingMessages, int DuplicatedMessages)
{
    public bool Recovered => Lost == 0 && MissingMessages == 0;

    /// <param name="accepted">ids the ingest answered 200 for</param>
    /// <param name="outcomes">outcome rows per id, over the three outcome tables</param>
    /// <param name="analysed">ids with an analysis row</param>
    /// <param name="messages">messages per id on the result topic</param>
    public static OutcomeTally Count(IEnumerable<string> accepted, IReadOnlyDictionary<string, int> outcomes, IReadOnlySet<string> analysed, IReadOnlyDictionary<string, int> messages)
    {
        int count = 0, lost = 0, duplicated = 0, missing = 0, duplicatedMessages = 0;
        foreach (var id in accepted)
        {
            count++;
            var rows = outcomes.GetValueOrDefault(id);
            if (rows == 0)
            {
                lost++;
            }
            else if (rows > 1)
            {
                duplicated++;
            }

            if (analysed.Contains(id))
            {
                var sent = messages.GetValueOrDefault(id);
                if (sent == 0)
                {
                    missing++;
                }
                else if (sent > 1)
                {
                    duplicatedMessages++;
                }
            }
        }

        return new OutcomeTally(count, lost, duplicated, missing, duplicatedMessages);
    }
}
