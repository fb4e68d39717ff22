using System.Text;

namespace Crnn.MLNet.Transforms.SavedForm;

/// <summary>Adds one <c>metadata_props</c> entry to a serialised ONNX model (protobuf fields concatenate).</summary>
internal static class OnnxMetadataAppender
{
    public static byte[] Append(byte[] model, string key, string value)
    {
        var entry = new MemoryStream();
        WriteString(entry, 1, key);
        WriteString(entry, 2, value);
        var result = new MemoryStream(model.Length + (int)entry.Length + 16);
        result.Write(model);
        WriteTag(result, 14, 2); // ModelProto.metadata_props = 14, length-delimited
        WriteVarint(result, (ulong)entry.Length);
        entry.Position = 0;
        entry.CopyTo(result);
        return result.ToArray();
    }

    private static void WriteString(Stream s, int field, string value)
    {
        byte[] b = Encoding.UTF8.GetBytes(value);
        WriteTag(s, field, 2);
        WriteVarint(s, (ulong)b.Length);
        s.Write(b);
    }

    private static void WriteTag(Stream s, int field, int wireType) => WriteVarint(s, (ulong)((field << 3) | wireType));

    private static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80) { s.WriteByte((byte)(v | 0x80)); v >>= 7; }
        s.WriteByte((byte)v);
    }
}
