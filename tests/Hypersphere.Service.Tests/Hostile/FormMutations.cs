using System.Globalization;
using System.Text;

namespace Hypersphere.Service.Tests.Hostile;

/// <summary>A mutated multipart body with the Content-Type it is sent with (which carries the boundary, or not).</summary>
public sealed record MutatedForm(string Mutation, string ContentType, byte[] Bytes);

/// <summary>
/// <c>multipart/form-data</c> bodies of <c>POST /v1/quality</c> (the form of .npy files), valid and then mutated: no,
/// empty, quoted or over-long boundaries, a body cut before its closing boundary, unknown, duplicate, unnamed and
/// non-form-data parts, huge or many part headers, .npy parts of other dtypes and shapes (from
/// <see cref="NpyMutations"/>), labels that are not text, fields that are not numbers, garbage between boundaries.
/// </summary>
public static class FormMutations
{
    private const string Boundary = "hs-fuzz-7c1e";

    /// <summary>One form part: its name, an optional file name, its bytes.</summary>
    private sealed record Part(string Name, string? FileName, byte[] Bytes);

    /// <summary>A valid form: 4–8 unit rows of 2–6 dims, positives and integer labels.</summary>
    public static MutatedForm Valid(Random random) => Build("valid", Boundary, ValidParts(random), closed: true);

    /// <summary>One mutated form.</summary>
    public static MutatedForm Next(Random random)
    {
        var parts = ValidParts(random);
        switch (random.Next(12))
        {
            case 0:
                var type = JsonMutations.Pick(random, ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"", "multipart/form-data; boundary=" + new string('b', 200), "multipart/form-data; boundary=other", "multipart/form-data;; boundary=" + Boundary, "multipart/mixed; boundary=" + Boundary]);
                return new MutatedForm($"content-type-'{(type.Length > 60 ? type[..60] + "…" : type)}'", type, Build("x", Boundary, parts, closed: true).Bytes);
            case 1:
                var whole = Build("x", Boundary, parts, closed: true).Bytes;
                var cut = random.Next(0, whole.Length);
                return new MutatedForm($"cut-at-{cut}-of-{whole.Length}", "multipart/form-data; boundary=" + Boundary, whole[..cut]);
            case 2:
                parts.Add(new Part(JsonMutations.Pick(random, ["model", "input", "Embeddings", "", "embeddings[]", "x\"y", "labels\r\nX-Evil: 1"]), null, "1"u8.ToArray()));
                return Build("unknown-part", Boundary, parts, closed: true);
            case 3:
                parts.Add(parts[random.Next(parts.Count)]);
                return Build("duplicate-part", Boundary, parts, closed: true);
            case 4:
                var at = random.Next(parts.Count);
                var descr = JsonMutations.Pick(random, ["<i8", "|u1", "<c8", "O", ">f8", "<f2", "|b1"]);
                parts[at] = parts[at] with { Bytes = NpyBytes.File($"{{'descr': '{descr}', 'fortran_order': False, 'shape': (4, 3), }}", new byte[random.Next(0, 200)]) };
                return Build($"part-{parts[at].Name}-dtype-'{descr}'", Boundary, parts, closed: true);
            case 5:
                var npy = NpyMutations.Next(random);
                parts[0] = parts[0] with { Bytes = npy.Bytes };
                return Build($"embeddings-npy/{npy.Mutation}", Boundary, parts, closed: true);
            case 6:
                var headers = random.Next(2) == 0 ? $"X-Padding: {new string('p', random.Next(8_000, 40_000))}\r\n" : string.Concat(Enumerable.Range(0, random.Next(9, 40)).Select(i => $"X-H{i}: {i}\r\n"));
                return Build("huge-part-headers", Boundary, parts, closed: true, extraHeaders: headers);
            case 7:
                var field = JsonMutations.Pick(random, ["alpha", "t", "normalize"]);
                var value = JsonMutations.Pick(random, ["abc", "", "1e400", "NaN", "-1", "0", "1e-320", "yes", "TRUE", new string('9', 500), "\u00ff\u00fe", "2,5"]);
                parts.Add(new Part(field, null, Encoding.UTF8.GetBytes(value)));
                return Build($"field-{field}='{(value.Length > 20 ? value[..20] + "…" : value)}'", Boundary, parts, closed: true);
            case 8:
                var labels = random.Next(3) switch
                {
                    0 => new byte[] { 0x61, 0x0a, 0xC0, 0xAF, 0x0a },
                    1 => "a\n\nb\nc\n"u8.ToArray(),
                    _ => Encoding.UTF8.GetBytes(string.Join("\n", Enumerable.Range(0, random.Next(0, 20)))),
                };
                parts.RemoveAll(p => p.Name == "labels");
                parts.Add(new Part("labels", "labels.txt", labels));
                return Build("labels-text", Boundary, parts, closed: true);
            case 9:
                return Build("no-disposition", Boundary, parts, closed: true, disposition: JsonMutations.Pick(random, ["", "attachment; name=\"t\"", "form-data", "form-data; name=", "form-data; name=\"embeddings\"; filename=\"/etc/passwd\"", ";;;"]));
            case 10:
                var garbage = new byte[random.Next(1, 512)];
                random.NextBytes(garbage);
                var body = Build("x", Boundary, parts, closed: true).Bytes;
                var insert = random.Next(body.Length);
                return new MutatedForm($"garbage-{garbage.Length}-bytes-at-{insert}", "multipart/form-data; boundary=" + Boundary, [.. body[..insert], .. garbage, .. body[insert..]]);
            default:
                return Build("no-closing-boundary", Boundary, parts, closed: false);
        }
    }

    private static List<Part> ValidParts(Random random)
    {
        int n = random.Next(4, 9), d = random.Next(2, 7);
        return
        [
            new Part("embeddings", "x.npy", UnitRowsNpy(random, n, d)),
            new Part("positives", "y.npy", UnitRowsNpy(random, n, d)),
            new Part("labels", "labels.npy", NpyBytes.File($"{{'descr': '<i8', 'fortran_order': False, 'shape': ({n},), }}", NpyBytes.Int64(Enumerable.Range(0, n).Select(i => (long)(i % 2))))),
            new Part("alpha", null, "2"u8.ToArray()),
        ];
    }

    private static byte[] UnitRowsNpy(Random random, int n, int d)
    {
        var values = new List<float>();
        for (var i = 0; i < n; i++)
        {
            var row = Enumerable.Range(0, d).Select(_ => random.NextDouble() - 0.5).ToArray();
            var norm = Math.Sqrt(row.Sum(v => v * v));
            values.AddRange(row.Select(v => (float)(v / norm)));
        }

        return NpyBytes.File(string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({n}, {d}), }}"), NpyBytes.Float32(values));
    }

    private static MutatedForm Build(string mutation, string boundary, List<Part> parts, bool closed, string extraHeaders = "", string? disposition = null)
    {
        using var body = new MemoryStream();
        void Write(string text) => body.Write(Encoding.UTF8.GetBytes(text));
        foreach (var part in parts)
        {
            Write($"--{boundary}\r\n");
            var header = disposition ?? $"form-data; name=\"{part.Name}\"" + (part.FileName is null ? string.Empty : $"; filename=\"{part.FileName}\"");
            Write($"Content-Disposition: {header}\r\n{extraHeaders}");
            if (part.FileName is not null)
            {
                Write("Content-Type: application/octet-stream\r\n");
            }

            Write("\r\n");
            body.Write(part.Bytes);
            Write("\r\n");
        }

        if (closed)
        {
            Write($"--{boundary}--\r\n");
        }

        return new MutatedForm(mutation, $"multipart/form-data; boundary={boundary}", body.ToArray());
    }
}
