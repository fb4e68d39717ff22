using Crnn.MLNet.Training.Model;

namespace Crnn.MLNet.Training.Export;

/// <summary>
/// Converts a bidirectional PyTorch LSTM/GRU layer into the W, R and B inputs of ONNX LSTM/GRU.
/// PyTorch stacks LSTM gates as i,f,g,o and ONNX as i,o,f,c; PyTorch GRU as r,z,n and ONNX as z,r,h.
/// ONNX shapes: <c>W [2, G*H, in]</c>, <c>R [2, G*H, H]</c>, <c>B [2, 2*G*H]</c> (input bias, then recurrent bias),
/// forward direction first.
/// </summary>
internal static class RecurrentWeightPacking
{
    /// <summary>For each ONNX gate block, the PyTorch gate block it takes its rows from.</summary>
    public static int[] GateOrder(RecurrentKind kind) => kind switch
    {
        RecurrentKind.Lstm => [0, 3, 1, 2], // i, o, f, c  <-  i, f, g, o
        RecurrentKind.Gru => [1, 0, 2],     // z, r, h     <-  r, z, n
        _ => throw new NotSupportedException($"recurrent kind {kind} has no ONNX gate mapping"),
    };

    public static (float[] W, float[] R, float[] B) Pack(RecurrentKind kind, RecurrentLayerWeights layer)
    {
        int[] order = GateOrder(kind);
        int gateRows = layer.HiddenSize;
        RecurrentDirectionWeights[] directions = [layer.Forward, layer.Backward];
        var w = new List<float>();
        var r = new List<float>();
        var b = new List<float>();
        foreach (var d in directions)
        {
            w.AddRange(ReorderRows(d.InputWeight, order, gateRows, layer.InputSize));
            r.AddRange(ReorderRows(d.HiddenWeight, order, gateRows, layer.HiddenSize));
            b.AddRange(ReorderRows(d.InputBias, order, gateRows, 1));
            b.AddRange(ReorderRows(d.HiddenBias, order, gateRows, 1));
        }
        return (w.ToArray(), r.ToArray(), b.ToArray());
    }

    /// <summary>
    /// Reorders a <c>[gates * rowsPerGate, columns]</c> matrix gate block by gate block:
    /// output block <c>j</c> is input block <c>order[j]</c>.
    /// </summary>
    public static float[] ReorderRows(float[] source, int[] order, int rowsPerGate, int columns)
    {
        int block = rowsPerGate * columns;
        if (source.Length != order.Length * block)
            throw new ArgumentException($"expected {order.Length} gates x {rowsPerGate} rows x {columns} columns = {order.Length * block} values, got {source.Length}", nameof(source));
        var result = new float[source.Length];
        for (int j = 0; j < order.Length; j++)
            Array.Copy(source, order[j] * block, result, j * block, block);
        return result;
    }
}
