using System.Security.Cryptography;
using System.Text;

namespace MarketPulse.Tools.Training;

/// <summary>A labelled data file and its layout, from <c>path</c> (layout read from the header) or <c>path:tfns|sentfin</c>.</summary>
public sealed record TrainingFile(string Path, DataForm Form)
{
    // SHA-256 of TFNS valid.csv, so a renamed copy is refused as well.
    private const string TfnsValidSha256 = "393572beac5064ed60c9f608a57dc66af2b41a91b89c149932d5c57f827e25da";

    /// <summary>Parses <c>path[:form]</c>; without a form the header decides. Throws <see cref="FormatException"/> when it cannot.</summary>
    public static TrainingFile Parse(string spec)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        var colon = spec.LastIndexOf(':');
        var form = DataForm.Tfns;
        var named = colon > 0 && !int.TryParse(spec[(colon + 1)..], out _) && Enum.TryParse(spec[(colon + 1)..], ignoreCase: true, out form);
        var path = named ? spec[..colon] : spec;
        if (!File.Exists(path))
        {
            throw new FormatException($"no file at {path}.");
        }

        return new TrainingFile(path, named ? form : Detect(path));
    }

    /// <summary>The layout named by the header: <c>text,label</c> is TFNS, <c>id,headline,entities</c> SEntFiN.</summary>
    public static DataForm Detect(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var header = new CsvParser(reader, path).ReadRecord(out _) ?? [];
        if (SentfinCsv.Column(header, "text") >= 0 && SentfinCsv.Column(header, "label") >= 0)
        {
            return DataForm.Tfns;
        }

        if (SentfinCsv.Column(header, "headline") >= 0 && SentfinCsv.Column(header, "entities") >= 0)
        {
            return DataForm.Sentfin;
        }

        throw new FormatException($"{path}: header '{string.Join(',', header)}' is neither text,label (tfns) nor id,headline,entities (sentfin); name the form as {path}:tfns or {path}:sentfin.");
    }

    /// <summary>
    /// True for TFNS valid.csv, by name or by content: it is only for reporting, so training refuses it.
    /// </summary>
    public bool IsEvaluationOnly()
    {
        if (string.Equals(System.IO.Path.GetFileName(Path), "valid.csv", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        using var stream = File.OpenRead(Path);
        return Convert.ToHexStringLower(SHA256.HashData(stream)) == TfnsValidSha256;
    }

    /// <summary>Reads the rows of <paramref name="split"/>.</summary>
    public LabeledData Read(DataSplit split)
    {
        if (Form == DataForm.Tfns)
        {
            var rows = LabeledCsv.Read(Path).Where(r => HeldOutSplit.Includes(split, r.Text)).ToList();
            return new LabeledData(this, rows, []);
        }

        var headlines = SentfinCsv.Read(Path).Where(h => HeldOutSplit.Includes(split, h.Id)).ToList();
        var sentences = headlines.Where(h => h.SharedLabel is not null).Select(h => new LabeledText(h.Text, h.SharedLabel!.Value, h.Line)).ToList();
        return new LabeledData(this, sentences, headlines);
    }
}
