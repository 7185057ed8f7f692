using System.Buffers.Binary;

namespace Hypersphere.Service.Tests.Hostile;

/// <summary>
/// .npy bodies built byte by byte (<see cref="NpyBytes"/>), then mutated: header dicts with other dtypes, orders
/// and shapes (non-numeric, beyond 64 bits, negative), header-length fields that lie (0, 0xffff, 0x7fffffff,
/// 0xffffffff), versions, magic, payloads too short or too long, truncation and flipped bytes.
/// </summary>
public static class NpyMutations
{
    private static readonly string[] Descrs = ["|u1", "<f4", "<f8", ">f8", "<i4", "|b1", "<c8", "O", "<U10", "", "|u1|u1", "<f2", "V8", "<M8[s]", "x"];

    private static readonly string[] Shapes =
        ["(abc,)", "(1180591620717411303424, 28, 28)", "(1180591620717411303424, 8, 8)", "(-1, 8, 8)", "()", "(1,)", "(1, 8, 8, 1, 1)", "(2147483648, 8, 8)",
         "(1, 2147483648, 2147483648)", "(4294967296, 8, 8)", "(0, 8, 8)", "(9, 8, 8)", "(1, 3, 8, 8)", "(1, 1, 100, 100)", "(1, 1, 101, 100)", "(1, 0, 8, 8)",
         "(1, 8, 0)", "(1, 8, 8", "1, 8, 8", "[1, 8, 8]", "(1.5, 8, 8)", "(1, 8, 8,,)", "(0x1, 8, 8)", "(1e3, 8, 8)", "(1, -8, -8)", "(3037000500, 3037000500, 2)"];

    /// <summary>A valid file of 1–3 uint8 8×8 images (the toy model's size).</summary>
    public static byte[] Valid(Random random, out int count)
    {
        count = random.Next(1, 4);
        var pixels = new byte[count * 64];
        random.NextBytes(pixels);
        return NpyBytes.File($"{{'descr': '|u1', 'fortran_order': False, 'shape': ({count}, 8, 8), }}", pixels);
    }

    /// <summary>One mutated .npy body.</summary>
    public static MutatedBody Next(Random random)
    {
        var valid = Valid(random, out var count);
        switch (random.Next(10))
        {
            case 0:
                var descr = JsonMutations.Pick(random, Descrs);
                return new MutatedBody($"descr-'{descr}'", NpyBytes.File($"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({count}, 8, 8), }}", Payload(random, count * 64 * random.Next(1, 9))));
            case 1:
                var shape = JsonMutations.Pick(random, Shapes);
                return new MutatedBody($"shape-{shape}", NpyBytes.File($"{{'descr': '|u1', 'fortran_order': False, 'shape': {shape}, }}", Payload(random, random.Next(0, 2) == 0 ? 64 : random.Next(0, 12_000))));
            case 2:
                var order = JsonMutations.Pick(random, ["True", "'x'", "1", "None"]);
                return new MutatedBody($"fortran_order-{order}", NpyBytes.File($"{{'descr': '|u1', 'fortran_order': {order}, 'shape': ({count}, 8, 8), }}", Payload(random, count * 64)));
            case 3:
                return HeaderLength(random, valid);
            case 4:
                var version = JsonMutations.Pick(random, new (byte, byte)[] { (0, 0), (3, 0), (2, 0), (1, 1), (255, 255), (4, 0) });
                var versioned = (byte[])valid.Clone();
                (versioned[6], versioned[7]) = version;
                return new MutatedBody($"version-{version.Item1}.{version.Item2}", versioned);
            case 5:
                var magic = (byte[])valid.Clone();
                magic[random.Next(6)] ^= (byte)random.Next(1, 256);
                return new MutatedBody("magic", magic);
            case 6:
                var dict = JsonMutations.Pick(random, [
                    "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 8, 8), 'extra': __import__('os').system('true')}",
                    "[1, 2]", "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 8, 8)", "{'descr': '|u1, 'fortran_order': False, 'shape': (1, 8, 8), }",
                    "{'descr': '|u1', 'descr': '<f8', 'fortran_order': False, 'shape': (1, 8, 8), }", "{}", "{'descr': {'a': 1}, 'fortran_order': False, 'shape': (1, 8, 8), }",
                    "{\"descr\": \"|u1\", \"fortran_order\": false, \"shape\": [1, 8, 8]}", "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 8, 8), }\u0000\u00ff",
                    "{'descr': '\u00ff', 'fortran_order': False, 'shape': (1, 8, 8), }", new string('{', 5000)]);
                return new MutatedBody("header-dict", NpyBytes.File(dict, Payload(random, 64)));
            case 7:
                var cut = random.Next(valid.Length);
                return new MutatedBody($"truncated-at-{cut}", valid[..cut]);
            case 8:
                return new MutatedBody("payload-too-long", [.. valid, .. Payload(random, random.Next(1, 200))]);
            default:
                var flipped = (byte[])valid.Clone();
                for (var i = random.Next(1, 5); i > 0; i--)
                {
                    flipped[random.Next(Math.Min(flipped.Length, 128))] = (byte)random.Next(256);
                }

                return new MutatedBody("byte-flip-in-header", flipped);
        }
    }

    /// <summary>A file whose header-length field says <paramref name="length"/> (version 2 or 3 when it needs four bytes).</summary>
    public static byte[] WithHeaderLength(uint length, int payloadBytes = 64)
    {
        var dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 8, 8), }";
        if (length <= ushort.MaxValue)
        {
            var v1 = NpyBytes.File(dict, new byte[payloadBytes]);
            BinaryPrimitives.WriteUInt16LittleEndian(v1.AsSpan(8), (ushort)length);
            return v1;
        }

        var v2 = NpyBytes.File(dict, new byte[payloadBytes], major: 2);
        BinaryPrimitives.WriteUInt32LittleEndian(v2.AsSpan(8), length);
        return v2;
    }

    private static MutatedBody HeaderLength(Random random, byte[] valid)
    {
        var length = JsonMutations.Pick(random, new uint[] { 0, 1, 9, 0xffff, 0x7fffffff, 0xffffffff, 0x80000000, 0x10000 });
        if (random.Next(3) == 0 && length <= ushort.MaxValue)
        {
            var off = (byte[])valid.Clone();
            BinaryPrimitives.WriteUInt16LittleEndian(off.AsSpan(8), (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(off.AsSpan(8)) + JsonMutations.Pick(random, new[] { 1, -1, 64, -64 })));
            return new MutatedBody("header-length-off-by-some", off);
        }

        return new MutatedBody($"header-length-0x{length:x}", WithHeaderLength(length));
    }

    private static byte[] Payload(Random random, int bytes)
    {
        var payload = new byte[bytes];
        random.NextBytes(payload);
        return payload;
    }
}
