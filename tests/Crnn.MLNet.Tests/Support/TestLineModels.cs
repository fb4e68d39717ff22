using Crnn.MLNet.Model;
using Google.Protobuf;
using Onnx;
using SkiaSharp;

namespace Crnn.MLNet.Tests.Support;

/// <summary>
/// A tiny CTC line model whose output can be worked out by hand: one Conv with a 28 x 4 kernel and stride 4 maps each
/// 4-column block of the normalised input to class scores, then Squeeze/Transpose to [N,T,C] and LogSoftmax.
/// With normalisation mean 0 and std 1 the input is the ink (0..1), the ink's 20 rows sit in rows 4..23, and a block reads:
/// ink over the whole height → "1", ink only in the upper half → "2", only in the lower half → "3", no ink → blank.
/// <see cref="DrawLine"/> draws such lines, each glyph 8 pixels wide (two time steps) with 8 pixels between glyphs.
/// </summary>
internal static class TestLineModels
{
    public static readonly string[] Labels = ["1", "2", "3"];

    public static CrnnLineModelMetadata Metadata(IReadOnlyList<string>? labels = null, int timeStepWidth = 4) => new()
    {
        Labels = labels ?? Labels,
        Dataset = "synthetic",
        Input = new CrnnLineInputSpec { Height = 28, MinWidth = 8, MaxWidth = 2048 },
        Output = new CrnnLineOutputSpec(),
        TimeStepWidth = timeStepWidth,
        Normalization = new CrnnNormalization { Mean = 0, Std = 1 },
        Preprocessing = new CrnnLinePreprocessing { InkHeight = 20, Margin = 4 },
        Producer = "Crnn.MLNet.Tests",
    };

    /// <param name="inputShape">Declared input shape (-1: dynamic).</param>
    /// <param name="metadataJson">Metadata to store instead of <see cref="Metadata"/>'s.</param>
    /// <param name="extraClasses">Output classes beyond the 4 the metadata implies (for mismatch tests).</param>
    public static byte[] Build(long[]? inputShape = null, string? metadataJson = null, int extraClasses = 0, string outputName = "log_probs")
    {
        const int height = 28, step = 4;
        int classes = 4 + extraClasses;
        var w = new float[classes * height * step];
        var b = new float[classes];
        b[0] = 5; // blank wins on empty blocks
        for (int y = 0; y < height; y++)
            for (int x = 0; x < step; x++)
            {
                int i = y * step + x;
                bool top = y < height / 2;
                w[1 * height * step + i] = 0.25f;                  // "1": ink anywhere
                w[2 * height * step + i] = top ? 0.3f : -0.3f;     // "2": ink above the middle
                w[3 * height * step + i] = top ? -0.3f : 0.3f;     // "3": ink below the middle
            }
        b[1] = -10;

        var graph = new GraphProto { Name = "tiny-line-crnn" };
        graph.Input.Add(Value("input", inputShape ?? [-1, 1, height, -1], ["N", "", "", "W"]));
        graph.Output.Add(Value(outputName, [-1, -1, classes], ["N", "T", ""]));
        graph.Initializer.Add(Tensor("conv_w", [classes, 1, height, step], w));
        graph.Initializer.Add(Tensor("conv_b", [classes], b));
        var axes = new TensorProto { Name = "axes", DataType = (int)TensorProto.Types.DataType.Int64 };
        axes.Dims.Add(1);
        axes.Int64Data.Add(2);
        graph.Initializer.Add(axes);

        var conv = Node("Conv", ["input", "conv_w", "conv_b"], "scores");
        conv.Attribute.Add(new AttributeProto { Name = "strides", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, step } });
        var squeeze = Node("Squeeze", ["scores", "axes"], "nct");
        var transpose = Node("Transpose", ["nct"], "ntc");
        transpose.Attribute.Add(new AttributeProto { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 0, 2, 1 } });
        var logSoftmax = Node("LogSoftmax", ["ntc"], outputName);
        logSoftmax.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 2 });
        graph.Node.Add(conv);
        graph.Node.Add(squeeze);
        graph.Node.Add(transpose);
        graph.Node.Add(logSoftmax);

        var model = new ModelProto { IrVersion = 8, ProducerName = "Crnn.MLNet.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        model.MetadataProps.Add(new StringStringEntryProto { Key = CrnnModelMetadata.MetadataKey, Value = metadataJson ?? Metadata().ToJson() });
        return model.ToByteArray();
    }

    /// <summary>
    /// A line of glyphs, dark on white: '1' a bar over the ink height, '2' a block in its upper half, '3' in its lower half,
    /// ' ' an empty glyph. Ink is 20 pixels high, so the normaliser keeps the scale, and each glyph covers two time steps.
    /// </summary>
    public static SKBitmap DrawLine(string glyphs, int pad = 6)
    {
        int width = 2 * pad + glyphs.Length * 16 - 8, height = 20 + 2 * pad;
        var bmp = new SKBitmap(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bmp);
        canvas.Clear(SKColors.White);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = false, Style = SKPaintStyle.Fill };
        for (int i = 0; i < glyphs.Length; i++)
        {
            int x = pad + i * 16;
            switch (glyphs[i])
            {
                case '1': canvas.DrawRect(x, pad, 8, 20, paint); break;
                case '2': canvas.DrawRect(x, pad, 8, 10, paint); break;
                case '3': canvas.DrawRect(x, pad + 10, 8, 10, paint); break;
            }
        }
        return bmp;
    }

    public static byte[] Png(string glyphs) => TestImages.Encode(DrawLine(glyphs));

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var n = new NodeProto { OpType = op, Name = op.ToLowerInvariant() };
        n.Input.Add(inputs);
        n.Output.Add(output);
        return n;
    }

    private static ValueInfoProto Value(string name, long[] shape, string[] symbols)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        for (int i = 0; i < shape.Length; i++)
            tensor.Shape.Dim.Add(shape[i] < 0 ? new TensorShapeProto.Types.Dimension { DimParam = symbols[i] } : new TensorShapeProto.Types.Dimension { DimValue = shape[i] });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    private static TensorProto Tensor(string name, long[] dims, float[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.Add(dims);
        t.FloatData.Add(values);
        return t;
    }
}
