using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace MarketPulse.Webhooks;

/// <summary>
/// Makes provider text fit for analysis: drops script/style contents, comments and HTML tags, decodes
/// entities, removes control and bidi-override characters (keeps line breaks), replaces lone surrogates,
/// folds whitespace. The result is plain text; it is never HTML-encoded again.
/// </summary>
public static partial class TextSanitizer
{
    /// <summary>Sanitised text, or null when nothing but whitespace is left.</summary>
    public static string? Clean(string? input)
    {
        if (string.IsNullOrEmpty(input))
        {
            return null;
        }

        var text = input;
        if (text.Contains('<', StringComparison.Ordinal))
        {
            text = ScriptOrStyle().Replace(text, " ");
            text = Comment().Replace(text, " ");
            text = BlockBreak().Replace(text, "\n");
            text = Tag().Replace(text, string.Empty);
        }

        if (text.Contains('&', StringComparison.Ordinal))
        {
            text = WebUtility.HtmlDecode(text);
        }

        text = StripInvisible(text);
        text = SpaceRun().Replace(text, " ");
        text = SpaceAroundNewline().Replace(text, "\n");
        text = NewlineRun().Replace(text, "\n\n");
        text = text.Trim();
        return text.Length == 0 ? null : text;
    }

    private static string StripInvisible(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                sb.Append('\uFFFD');
                continue;
            }

            switch (c)
            {
                case '\n':
                    sb.Append('\n');
                    break;
                case '\r':
                    // \r\n and a lone \r both become one line break.
                    sb.Append('\n');
                    if (i + 1 < text.Length && text[i + 1] == '\n')
                    {
                        i++;
                    }

                    break;
                case '\t':
                case '\u00A0':
                    sb.Append(' ');
                    break;
                // Zero-width space, LRM/RLM, bidi embeddings/overrides/isolates and BOM can hide or reorder
                // text; ZWJ/ZWNJ stay because emoji and Indic scripts need them.
                case '\u200B' or '\u200E' or '\u200F' or '\uFEFF':
                case >= '\u202A' and <= '\u202E':
                case >= '\u2066' and <= '\u2069':
                    break;
                default:
                    if (!char.IsControl(c))
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    [GeneratedRegex(@"<(script|style)\b[^>]*>.*?</\1\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ScriptOrStyle();

    [GeneratedRegex(@"<!--.*?(-->|$)", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"<(br|/p|p|/div|/li|/h[1-6]|/tr)\b[^<>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BlockBreak();

    // Only tag-like markup: "<" followed by a letter, "/" or "!". "a < b" and "x<5" stay as they are.
    [GeneratedRegex(@"</?[A-Za-z][^<>]*>|<![^<>]*>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"[ \f\v]{2,}")]
    private static partial Regex SpaceRun();

    [GeneratedRegex(@" ?\n ?")]
    private static partial Regex SpaceAroundNewline();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex NewlineRun();
}
