namespace MarketPulse.Analysis.Entities;

/// <summary>A phrase stored in a <see cref="PhraseTrie{T}"/>: its payload and what each of its tokens demands of the text.</summary>
internal sealed record Phrase<T>(T Value, CaseRule[] Rules);

/// <summary>
/// Token trie for longest-match phrase lookup, case-insensitive on the keys; capitalisation is
/// checked per phrase with its <see cref="CaseRule"/>s, so "Apple" and "IT" can demand their case
/// while "gold" matches any.
/// </summary>
internal sealed class PhraseTrie<T>
{
    private readonly Node _root = new();

    public int Count { get; private set; }

    /// <summary>Adds a phrase written as it should be capitalised: UPPER tokens demand upper case, Capitalised ones a capital, lower ones nothing.</summary>
    public void Add(string phrase, T value) => Add(phrase, value, static (token, _) => DefaultRule(token.Shape));

    public void Add(string phrase, T value, Func<Token, string, CaseRule> rule)
    {
        var tokens = Tokenizer.Tokenize(phrase);
        if (tokens.Count == 0)
        {
            return;
        }

        var node = _root;
        var rules = new CaseRule[tokens.Count];
        for (var i = 0; i < tokens.Count; i++)
        {
            var key = phrase.Substring(tokens[i].Start, tokens[i].Length);
            node.Children ??= new Dictionary<string, Node>(StringComparer.OrdinalIgnoreCase);
            if (!node.Children.TryGetValue(key, out var child))
            {
                child = new Node();
                node.Children.Add(key, child);
            }

            node = child;
            rules[i] = rule(tokens[i], key);
        }

        (node.Phrases ??= []).Add(new Phrase<T>(value, rules));
        Count++;
    }

    public static CaseRule DefaultRule(TokenShape shape) => shape switch
    {
        TokenShape.Upper => CaseRule.Upper,
        TokenShape.Capitalised => CaseRule.Capitalised,
        _ => CaseRule.Any,
    };

    /// <summary>
    /// Calls <paramref name="visit"/> for every stored phrase that starts at token <paramref name="start"/>,
    /// from shortest to longest, with the index after its last token. Phrases never span a hard break,
    /// a token in <paramref name="blocked"/>, or end inside an alphanumeric run.
    /// </summary>
    public void WalkFrom(string text, List<Token> tokens, int start, bool[]? blocked, Action<Phrase<T>, int> visit)
    {
        if (tokens[start].Glued)
        {
            return;
        }

        var node = _root;
        for (var j = start; j < tokens.Count; j++)
        {
            var token = tokens[j];
            if ((j > start && token.BreakBefore) || (blocked is not null && blocked[j]) || node.Children is null)
            {
                return;
            }

            if (!node.Children.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text.AsSpan(token.Start, token.Length), out var child))
            {
                return;
            }

            node = child;
            if (node.Phrases is null || (j + 1 < tokens.Count && tokens[j + 1].Glued))
            {
                continue;
            }

            foreach (var phrase in node.Phrases)
            {
                if (Fits(phrase, tokens, start))
                {
                    visit(phrase, j + 1);
                }
            }
        }
    }

    private static bool Fits(Phrase<T> phrase, List<Token> tokens, int start)
    {
        for (var k = 0; k < phrase.Rules.Length; k++)
        {
            if (!tokens[start + k].Satisfies(phrase.Rules[k]))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class Node
    {
        public Dictionary<string, Node>? Children;
        public List<Phrase<T>>? Phrases;
    }
}
