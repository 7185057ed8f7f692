using System.Buffers.Binary;
using Hypersphere.Core.Errors;
using Xunit;

namespace Hypersphere.Testing;

/// <summary>
/// Hand-built .npy files with broken headers, each with the error kind a reader must answer and words its
/// message must contain. Shared by every reader of .npy (embeddings, labels, images), so all refuse alike.
/// </summary>
public static class MalformedNpy
{
    /// <summary>Case name → (file bytes, expected kind, message fragments).</summary>
    public static IReadOnlyDictionary<string, (byte[] File, ErrorKind Kind, string[] Fragments)> Cases { get; } = Build();

    private static Dictionary<string, (byte[] File, ErrorKind Kind, string[] Fragments)> Build()
    {
        const string Tail = "'fortran_order': False, ";
        static byte[] F8(string shape) =>
            NpyBytes.File($"{{'descr': '<f8', {Tail}'shape': {shape}, }}", new byte[32]);
        static byte[] Raw(string dict) => NpyBytes.File(dict, new byte[32]);

        return new()
        {
            ["v2 header length 0xffffffff"] = (WithHeaderLength(2, 0xffffffff), ErrorKind.Corrupt, ["4294967295 bytes", "truncated"]),
            ["v3 header length 0x7fffffff"] = (WithHeaderLength(3, 0x7fffffff), ErrorKind.Corrupt, ["2147483647 bytes", "truncated"]),
            ["v1 header longer than the file"] = (WithHeaderLength(1, 500), ErrorKind.Corrupt, ["500 bytes", "truncated"]),
            ["empty v1 header"] = (WithHeaderLength(1, 0), ErrorKind.BadRequest, ["not a Python dict literal"]),
            ["shape (abc,)"] = (F8("(abc,)"), ErrorKind.BadRequest, ["shape (abc,)", "'abc'", "non-negative integer"]),
            ["shape beyond long"] = (F8("(1180591620717411303424, 28, 28)"), ErrorKind.BadRequest, ["1180591620717411303424", "exceeds 9223372036854775807"]),
            ["negative dimension"] = (F8("(-2, 2)"), ErrorKind.BadRequest, ["'-2'", "non-negative integer"]),
            ["empty dimension"] = (F8("(2,, 2)"), ErrorKind.BadRequest, ["dimension 1", "non-negative integer"]),
            ["product of dimensions overflows"] = (F8("(4294967296, 4294967296, 4294967296)"), ErrorKind.TooLarge, ["(4294967296, 4294967296, 4294967296)", "more than 2147483591 bytes"]),
            ["product beyond an array"] = (F8("(100000, 100000)"), ErrorKind.TooLarge, ["(100000, 100000)", "8-byte", "2147483591"]),
            ["missing fortran_order"] = (Raw("{'descr': '<f8', 'shape': (2, 2), }"), ErrorKind.BadRequest, ["without 'fortran_order'"]),
            ["missing descr and shape"] = (Raw("{'fortran_order': False, }"), ErrorKind.BadRequest, ["without 'descr', 'shape'"]),
            ["fortran_order not a bool"] = (Raw("{'descr': '<f8', 'fortran_order': 0, 'shape': (2, 2), }"), ErrorKind.BadRequest, ["'fortran_order' (True or False)"]),
            ["header is a list"] = (Raw("['descr', '<f8', 'fortran_order', False, 'shape', (2, 2)]"), ErrorKind.BadRequest, ["not a Python dict literal", "['descr'"]),
            ["header is plain text"] = (Raw("hello"), ErrorKind.BadRequest, ["not a Python dict literal", "hello"]),
            ["negative item size"] = (Raw($"{{'descr': '<f-8', {Tail}'shape': (2, 2), }}"), ErrorKind.BadRequest, ["'<f-8'", "plain numeric dtype"]),
            ["zero item size"] = (Raw($"{{'descr': '<f0', {Tail}'shape': (2, 2), }}"), ErrorKind.BadRequest, ["'<f0'", "plain numeric dtype"]),
            ["huge item size"] = (Raw($"{{'descr': '<f99999999999', {Tail}'shape': (2, 2), }}"), ErrorKind.BadRequest, ["'<f99999999999'"]),
            ["too short for a preamble"] = ([0x93, (byte)'N', (byte)'U'], ErrorKind.BadRequest, ["magic bytes"]),
            ["v2 preamble cut short"] = ([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, 0, 0], ErrorKind.Corrupt, ["12 bytes", "has 10"]),
        };
    }

    /// <summary>
    /// Asserts that <paramref name="read"/> refuses case <paramref name="name"/> with a <see cref="HypersphereException"/>
    /// of the case's kind whose message names <paramref name="source"/> and the case's fragments.
    /// A reader may refuse for a reason of its own first when <paramref name="ownReason"/> is in the message.
    /// </summary>
    public static void AssertRefused(string name, Action<byte[]> read, string source, string? ownReason = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        var (file, kind, fragments) = Cases[name];
        var error = Assert.Throws<HypersphereException>(() => read(file));
        if (ownReason is not null && error.Message.Contains(ownReason, StringComparison.Ordinal))
        {
            Assert.Equal(ErrorKind.BadRequest, error.Kind);
            return;
        }

        Assert.True(kind == error.Kind, $"{name}: expected {kind}, got {error.Kind}: {error.Message}");
        foreach (var fragment in fragments.Append(source))
        {
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>A preamble of the given version whose header-length field says <paramref name="length"/>, followed by a short valid-looking dict.</summary>
    private static byte[] WithHeaderLength(int major, uint length)
    {
        var file = NpyBytes.File("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", new byte[8], major);
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), (ushort)length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), length);
        }

        return file;
    }
}
