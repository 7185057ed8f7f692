namespace Hypersphere.Core.IO;

/// <summary>A row-major 2-D array of numbers as read from a file, before any validation of its values.</summary>
/// <param name="Values">Rows·Cols values, row-major.</param>
/// <param name="Rows">Number of rows.</param>
/// <param name="Cols">Number of columns.</param>
public sealed record MatrixData(double[] Values, int Rows, int Cols);
