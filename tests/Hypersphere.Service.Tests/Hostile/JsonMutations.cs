using System.Globalization;
using System.Text;

namespace Hypersphere.Service.Tests.Hostile;

/// <summary>A body and what was done to it, for the failure report.</summary>
public sealed record MutatedBody(string Mutation, byte[] Bytes);

/// <summary>
/// JSON bodies for <c>/v1/embeddings</c> and <c>/v1/quality</c>: a valid body of the route's shape, then one
/// mutation of its structure (wrong types, deep nesting, huge numbers, NaN tokens, truncation, BOMs, invalid
/// UTF-8, lone surrogates, duplicate keys, large arrays within the limits, flipped bytes).
/// </summary>
public static class JsonMutations
{
    private static readonly string[] WrongValues =
        ["5", "-1", "1.5", "true", "false", "null", "[]", "{}", "\"\"", "\"x\"", "[[[]]]", "{\"a\":{\"b\":1}}", "[null]", "[true,false]", "\"toy\"", "0"];

    private static readonly string[] NumberTokens =
        ["1e400", "-1e400", "1e39", "-1e39", "123456789012345678901234567890123456789", "1e-400", "-0", "4.9e-324", "1.7976931348623157e308", "0.1e-99999"];

    private static readonly string[] NotJsonNumbers = ["NaN", "Infinity", "-Infinity", "+1", "01", ".5", "1.", "0x10", "1e", "--1", "1_000", "nan", "undefined"];

    private static readonly string[] Surrogates = ["\\ud800", "\\udfff", "\\ud800\\u0041", "\\udbff\\udbff", "a\\ud83d", "\\ude00b"];

    private static readonly byte[][] InvalidUtf8 =
        [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xFE, 0xFF], [0xC3]];

    private static readonly string[] ModelNames =
        ["", "toy@", "@1", "toy@1@2", "../../etc/passwd", "toy@../1", "toy\\u0000", "x/../../y", "C:\\\\x", "%s%n%x", "toy@99999999999999999999", "TOY", " toy", "toy@1 ", "\\n"];

    /// <summary>A valid /v1/embeddings body: 1–3 rows of <paramref name="imageSize"/> floats for model toy.</summary>
    public static string ValidEmbeddings(Random random, int imageSize) =>
        $$"""{"model":"toy","input":[{{string.Join(",", Enumerable.Range(0, random.Next(1, 4)).Select(_ => Floats(random, imageSize)))}}]}""";

    /// <summary>A valid /v1/quality body: 4–8 unit rows of 2–6 values with positives, labels, alpha and t.</summary>
    public static string ValidQuality(Random random)
    {
        int n = random.Next(4, 9), d = random.Next(2, 7);
        var labels = string.Join(",", Enumerable.Range(0, n).Select(i => (i % 2).ToString(CultureInfo.InvariantCulture)));
        return $$"""{"embeddings":{{UnitRows(random, n, d)}},"positives":{{UnitRows(random, n, d)}},"labels":[{{labels}}],"alpha":2,"t":2}""";
    }

    /// <summary>A mutated /v1/embeddings body.</summary>
    public static MutatedBody Embeddings(Random random, int imageSize)
    {
        var valid = ValidEmbeddings(random, imageSize);
        return random.Next(6) switch
        {
            0 => Field(random, valid, ["model", "input", "encoding_format", "user", "dimensions"]),
            1 => Text("model-name", valid.Replace("\"toy\"", "\"" + Pick(random, ModelNames) + "\"", StringComparison.Ordinal)),
            2 => Text("input-shape", $$"""{"input":{{Pick(random, ["[[]]", "[[],[]]", "[[[1]]]", "\"1,2,3\"", "[" + Floats(random, imageSize) + ",\"AAAA\"]", "[" + string.Join(",", Enumerable.Repeat(Floats(random, imageSize), random.Next(8, 11))) + "]", "[" + Floats(random, 10_000) + "]", "[" + Floats(random, imageSize - 1) + "]"])}}}"""),
            3 => Text("encoding-format", valid.Replace("}", ",\"encoding_format\":\"" + Pick(random, ["float", "base64", "FLOAT", "", "float\\u0000", "base64 ", "\\ud800", "binary"]) + "\"}", StringComparison.Ordinal)),
            _ => Structural(random, valid, "input"),
        };
    }

    /// <summary>A mutated /v1/quality body.</summary>
    public static MutatedBody Quality(Random random)
    {
        var valid = ValidQuality(random);
        return random.Next(7) switch
        {
            0 => Field(random, valid, ["embeddings", "positives", "labels", "alpha", "t", "normalize", "model"]),
            1 => Text("alpha/t-extreme", valid.Replace(Pick(random, ["\"alpha\":2", "\"t\":2"]), (random.Next(2) == 0 ? "\"alpha\":" : "\"t\":") + Pick(random, ["1e6", "1e300", "1e-300", "5e-324", "0", "-0", "-1", "1e308", "\"2\"", "null", "true", "1e400", "NaN", "700", "1e3"]), StringComparison.Ordinal)),
            2 => Text("labels", valid[..valid.IndexOf("\"labels\"", StringComparison.Ordinal)] + "\"labels\":" + Labels(random) + "}"),
            3 => Text("embeddings-values", $$"""{"embeddings":{{Pick(random, ["[[1e38,0],[0,1]]", "[[1e-300,0],[0,1e-300]]", "[[1e-30,0],[0,1]]", "[[3,4],[4,3]]", "[[],[]]", "[[1]]", "[[1],[1],[1]]", "[[0,0],[0,0]]", "[[1,0],[1,0],[1,0]]", "[" + string.Join(",", Enumerable.Repeat("[1,0,0,0]", 1024)) + "]", "[" + string.Join(",", Enumerable.Repeat("[1,0,0,0]", 1025)) + "]", "[[1,0],[0,1]],\"embeddings\":[[0,1],[1,0]]"])}},"normalize":{{Pick(random, ["true", "false"])}}}"""),
            4 => Text("image-form", $$"""{"model":"toy","input":{{Pick(random, ["[]", "[[]]", "\"AAAA\"", "[\"\",\"\"]", "[[0.5],[0.5]]", "[\"data:,\",\"data:,\"]"])}}}"""),
            _ => Structural(random, valid, "embeddings"),
        };
    }

    /// <summary>One mutation of the JSON text's structure or encoding, the same for every route.</summary>
    public static MutatedBody Structural(Random random, string valid, string arrayField)
    {
        var bytes = Encoding.UTF8.GetBytes(valid);
        switch (random.Next(13))
        {
            case 0:
                var depth = Pick(random, [10, 63, 64, 65, 200, 1000, 20_000]);
                return Text($"deep-nesting-{depth}", $$"""{"{{arrayField}}":{{new string('[', depth)}}1{{new string(']', depth)}}}""");
            case 1:
                return Text("huge-number", ReplaceFirstNumber(valid, Pick(random, NumberTokens)));
            case 2:
                return Text("nan-token", ReplaceFirstNumber(valid, Pick(random, NotJsonNumbers)));
            case 3:
                var cut = random.Next(bytes.Length);
                return new MutatedBody($"truncated-at-{cut}", bytes[..cut]);
            case 4:
                return random.Next(3) switch
                {
                    0 => new MutatedBody("bom-utf8", [0xEF, 0xBB, 0xBF, .. bytes]),
                    1 => new MutatedBody("bom-utf16", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(valid)]),
                    _ => new MutatedBody("bom-twice", [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. bytes]),
                };
            case 5:
                var at = valid.IndexOf('"', StringComparison.Ordinal) + 1;
                var bad = Pick(random, InvalidUtf8);
                return new MutatedBody($"invalid-utf8-{Convert.ToHexString(bad)}", [.. bytes[..at], .. bad, .. bytes[at..]]);
            case 6:
                return Text("lone-surrogate", valid.Replace("\"model\":\"toy\"", "\"model\":\"" + Pick(random, Surrogates) + "\"", StringComparison.Ordinal)
                    .Insert(1, "\"user\":\"" + Pick(random, Surrogates) + "\","));
            case 7:
                var key = valid[2..valid.IndexOf('"', 2)];
                return Text($"duplicate-key-{key}", valid.Insert(1, $"\"{key}\":{Pick(random, WrongValues)},"));
            case 8:
                for (var i = random.Next(1, 6); i > 0; i--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return new MutatedBody("byte-flip", bytes);
            case 9:
                return Text("control-char", valid.Insert(valid.IndexOf('"', 1) , "\u0000\u001f"));
            case 10:
                return Text("trailing", valid + Pick(random, ["x", "{}", ",", "/* */", "]", "\u0000", "\n\n{\"input\":[]}"]));
            case 11:
                return Text("top-level", Pick(random, ["[]", "\"s\"", "1", "true", "null", " ", "\t\r\n", "{", "}", "{\"\":1}", "{\"a\"}", "{,}", "{\"input\":}", "{'input': [1]}"]));
            default:
                return Text("unknown-field", valid.Insert(1, "\"extra\":{\"x\":[" + string.Join(",", Enumerable.Repeat("1e300", random.Next(1, 2000))) + "]},"));
        }
    }

    private static MutatedBody Field(Random random, string valid, string[] fields)
    {
        var field = Pick(random, fields);
        var value = Pick(random, WrongValues);
        return Text($"wrong-type-{field}={value}", valid.Insert(valid.Length - 1, $",\"{field}\":{value}").Replace($"{{\"{field}\":", "{\"_" + field + "\":", StringComparison.Ordinal));
    }

    private static string Labels(Random random) => Pick(random,
        ["[\"\\udfff\",\"a\",\"b\",\"a\",\"b\",\"a\",\"b\",\"a\"]", "[1e30,1,1,1,1,1,1,1]", "[-1,-1,-1,-1,-1,-1,-1,-1]", "[[1],[1],[1],[1],[1],[1],[1],[1]]",
         "[1,\"1\",1,\"1\",1,\"1\",1,\"1\"]", "[{},{},{},{},{},{},{},{}]", "[null,null,null,null,null,null,null,null]", "[9223372036854775808,1,1,1,1,1,1,1]",
         "[\"" + new string('x', 5000) + "\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]", "\"abc\"", "[]"]);

    private static string ReplaceFirstNumber(string json, string token)
    {
        var start = json.IndexOfAny("0123456789-".ToCharArray(), json.IndexOf('[', StringComparison.Ordinal) is var b and >= 0 ? b : 0);
        if (start < 0)
        {
            return json;
        }

        var end = start + 1;
        while (end < json.Length && "0123456789.eE+-".Contains(json[end], StringComparison.Ordinal))
        {
            end++;
        }

        return json[..start] + token + json[end..];
    }

    private static string Floats(Random random, int count) =>
        "[" + string.Join(",", Enumerable.Range(0, count).Select(_ => ((random.NextDouble() * 2) - 1).ToString("0.###", CultureInfo.InvariantCulture))) + "]";

    private static string UnitRows(Random random, int n, int d) =>
        "[" + string.Join(",", Enumerable.Range(0, n).Select(_ =>
        {
            var row = Enumerable.Range(0, d).Select(_ => random.NextDouble() - 0.5).ToArray();
            var norm = Math.Sqrt(row.Sum(v => v * v));
            return "[" + string.Join(",", row.Select(v => (v / norm).ToString("R", CultureInfo.InvariantCulture))) + "]";
        })) + "]";

    private static MutatedBody Text(string mutation, string json) => new(mutation, Encoding.UTF8.GetBytes(json));

    internal static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
