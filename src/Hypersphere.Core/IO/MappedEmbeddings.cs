using System.IO.MemoryMappedFiles;
using System.Numerics.Tensors;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;

namespace Hypersphere.Core.IO;

/// <summary>
/// Embeddings read straight from a memory-mapped <c>.npy</c> file (float32 or float64, C order, little-endian), for
/// inputs larger than memory: the operating system pages the file in and out, and the metrics read blocks of rows,
/// so memory beyond the mapping stays O(block·d). Opening validates every row (finite, unit norm, or non-zero when
/// normalising) in one pass with the same messages as <see cref="EmbeddingMatrix.Create(ReadOnlySpan{double}, int, int, bool, string)"/>;
/// with normalisation each row is L2-normalised as it is read, by the same code, so the values are the ones the
/// matrix would hold. Dispose it to unmap the file.
/// </summary>
public sealed unsafe class MappedEmbeddings : EmbeddingRows, IDisposable
{
    /// <summary>Bytes read to find the header (NumPy writes it in the first 64 KiB).</summary>
    private const int HeaderPrefix = 1 << 20;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _data;
    private readonly bool _single;
    private bool _normalize;
    private bool _disposed;

    private MappedEmbeddings(MemoryMappedFile file, MemoryMappedViewAccessor view, int dataOffset, int rows, int dim, bool single)
        : base(rows, dim)
    {
        (_file, _view, _single) = (file, view, single);
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        _data = start + view.PointerOffset + dataOffset;
    }

    /// <inheritdoc/>
    public override bool StoredAsSingle => _single;

    /// <summary>
    /// Maps and validates <paramref name="path"/> (<paramref name="name"/> in messages), or returns null when the file is
    /// a <c>.npy</c> this reader does not map (another dtype, rank, byte order or Fortran order): the caller then reads it
    /// whole, whose messages say what is wrong. Cancelling stops the validation pass.
    /// </summary>
    public static MappedEmbeddings? TryOpen(string path, bool normalize, string name, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"file not found: {path}");
        }

        NpyHeader header;
        long length;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            length = stream.Length;
            var prefix = new byte[(int)Math.Min(length, HeaderPrefix)];
            stream.ReadExactly(prefix);
            header = NpyHeader.Parse(prefix, Path.GetFileName(path), long.MaxValue);
        }

        if (header.Kind != 'f' || header.ItemSize is not (4 or 8) || header.Shape.Length != 2 || header.FortranOrder || header.BigEndian != !BitConverter.IsLittleEndian
            || header.Shape.Any(d => d > int.MaxValue))
        {
            return null;
        }

        NpyFile.CheckDataLength(length, header, Path.GetFileName(path));
        var (rows, dim) = ((int)header.Shape[0], (int)header.Shape[1]);
        RowChecks.CheckSize(rows, dim, name);
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        MappedEmbeddings? mapped = null;
        try
        {
            view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            mapped = new MappedEmbeddings(file, view, header.DataOffset, rows, dim, header.ItemSize == 4);
            mapped.Validate(normalize, name, cancellationToken);
            mapped._normalize = normalize;
            var result = mapped;
            mapped = null;
            return result;
        }
        catch when (mapped is null)
        {
            view?.Dispose();
            file.Dispose();
            throw;
        }
        finally
        {
            mapped?.Dispose();
        }
    }

    /// <inheritdoc/>
    public override void ReadRows(int first, Span<double> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var count = destination.Length;
        var start = (long)first * Dim;
        if (first < 0 || start + count > (long)Rows * Dim)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"rows {first}…{first + (count / Dim) - 1} are outside 0…{Rows - 1}");
        }

        if (_single)
        {
            TensorPrimitives.ConvertChecked<float, double>(new ReadOnlySpan<float>((float*)_data + start, count), destination);
        }
        else
        {
            new ReadOnlySpan<double>((double*)_data + start, count).CopyTo(destination);
        }

        if (_normalize)
        {
            for (var r = 0; r < count; r += Dim)
            {
                RowChecks.Normalize(destination.Slice(r, Dim));
            }
        }
    }

    /// <summary>Unmaps the file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    /// <summary>Checks every row on all cores; the first bad row (lowest index) is the one reported, as a sequential check would.</summary>
    private void Validate(bool normalize, string name, CancellationToken cancellationToken)
    {
        var failures = MapBlocks<HypersphereException?>(
            (first, count, rows) =>
            {
                try
                {
                    for (var r = 0; r < count; r++)
                    {
                        RowChecks.Check(rows.Slice(r * Dim, Dim), first + r, normalize, name);
                    }

                    return null;
                }
                catch (HypersphereException e)
                {
                    return e;
                }
            },
            cancellationToken: cancellationToken);
        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            throw failure;
        }
    }
}
