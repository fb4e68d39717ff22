#:package SkiaSharp
#:package SkiaSharp.NativeAssets.Linux.NoDependencies
#:property TreatWarningsAsErrors=false
// Writes the 10,000 MNIST test images as grayscale PNGs (OUT/png/00000.png ...) and a list of their paths repeated
// REPEATS times (OUT/list.txt, paths relative to OUT), the input of the batch figures in docs/scale.md:
//   CRNN_DATA_DIR=<datasets> dotnet run samples/mnist-png-list.cs -- OUT [REPEATS=10]
// Reads $CRNN_DATA_DIR/mnist/t10k-images-idx3-ubyte.gz (IDX: magic 0x00000803, count, rows, columns, then pixels).
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using SkiaSharp;

if (args.Length is < 1 or > 2) { Console.Error.WriteLine("usage: dotnet run samples/mnist-png-list.cs -- OUT [REPEATS]"); return 2; }
string output = args[0];
int repeats = args.Length > 1 ? int.Parse(args[1]) : 10;
string data = Environment.GetEnvironmentVariable("CRNN_DATA_DIR") ?? throw new InvalidOperationException("set CRNN_DATA_DIR to the folder holding mnist/");
using var gz = new GZipStream(File.OpenRead(Path.Combine(data, "mnist", "t10k-images-idx3-ubyte.gz")), CompressionMode.Decompress);
var idx = new MemoryStream();
gz.CopyTo(idx);
byte[] bytes = idx.ToArray();
if (BinaryPrimitives.ReadInt32BigEndian(bytes) != 0x803) throw new InvalidDataException("not an IDX image file");
int count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4)), rows = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)), cols = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));

Directory.CreateDirectory(Path.Combine(output, "png"));
using var bitmap = new SKBitmap(new SKImageInfo(cols, rows, SKColorType.Gray8, SKAlphaType.Opaque));
var names = new string[count];
for (int i = 0; i < count; i++)
{
    for (int y = 0; y < rows; y++)
        Marshal.Copy(bytes, 16 + i * rows * cols + y * cols, bitmap.GetPixels() + y * bitmap.RowBytes, cols);
    names[i] = $"png/{i:D5}.png";
    using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
    using var file = File.Create(Path.Combine(output, names[i]));
    png.SaveTo(file);
}
using (var list = new StreamWriter(Path.Combine(output, "list.txt")))
    for (int r = 0; r < repeats; r++)
        foreach (string name in names) list.WriteLine(name);
Console.WriteLine($"{count} PNGs in {Path.Combine(output, "png")}, {count * repeats} paths in {Path.Combine(output, "list.txt")}");
return 0;
