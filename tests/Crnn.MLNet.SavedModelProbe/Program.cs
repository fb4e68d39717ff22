// Usage: Crnn.MLNet.SavedModelProbe (stock|batched) MODEL.zip INPUT.tsv COLUMN...
// Loads MODEL.zip with mlContext.Model.Load (stock) or CrnnModel.Load (batched), scores the rows of INPUT.tsv (a header
// line, then tab-separated text columns) and writes one JSON object per row with the named output columns.
using System.Text.Json;
using Crnn.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

if (args.Length < 4 || args[0] is not ("stock" or "batched"))
{
    Console.Error.WriteLine("usage: Crnn.MLNet.SavedModelProbe (stock|batched) MODEL.zip INPUT.tsv COLUMN...");
    return 2;
}
var ml = new MLContext(seed: 0);
string[] header = File.ReadLines(args[2]).First().Split('\t');
var input = ml.Data.LoadFromTextFile(args[2], header.Select((name, i) => new TextLoader.Column(name, DataKind.String, i)).ToArray(),
    separatorChar: '\t', hasHeader: true, allowQuoting: false, trimWhitespace: false);
ITransformer model = args[0] == "stock" ? ml.Model.Load(args[1], out _) : CrnnModel.Load(ml, args[1], out _);
var scored = model.Transform(input);
var columns = args[3..].Select(name => scored.Schema[name]).ToArray();
var values = columns.Select(c => Read(scored, c)).ToArray();
int rows = values.Length == 0 ? 0 : values[0].Count;
for (int r = 0; r < rows; r++)
    Console.WriteLine(JsonSerializer.Serialize(columns.Select((c, i) => (c.Name, values[i][r])).ToDictionary(p => p.Name, p => p.Item2)));
(model as IDisposable)?.Dispose();
return 0;

static List<object?> Read(IDataView view, DataViewSchema.Column column) => column.Type switch
{
    TextDataViewType => view.GetColumn<string>(column).Cast<object?>().ToList(),
    NumberDataViewType n when n == NumberDataViewType.Single => view.GetColumn<float>(column).Cast<object?>().ToList(),
    KeyDataViewType => view.GetColumn<uint>(column).Cast<object?>().ToList(),
    VectorDataViewType { ItemType: TextDataViewType } => view.GetColumn<string[]>(column).Cast<object?>().ToList(),
    VectorDataViewType v when v.ItemType == NumberDataViewType.Single => view.GetColumn<float[]>(column).Cast<object?>().ToList(),
    _ => throw new NotSupportedException($"column '{column.Name}': type {column.Type} is not printed by the probe."),
};
