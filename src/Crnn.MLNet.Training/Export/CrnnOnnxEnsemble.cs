using System.Text.Json;
using Crnn.MLNet.Model;
using Google.Protobuf;
using Onnx;
using static Crnn.MLNet.Training.Export.OnnxGraphBuilder;

namespace Crnn.MLNet.Training.Export;

/// <summary>
/// Joins classifier models with the same labels, input and preprocessing into one ONNX model whose probabilities are
/// the mean of theirs (and whose logits are the log of that mean, so softmax(logits) = probabilities):
/// <code>
/// input -> member 0 ... -> m0/probabilities \
/// input -> member 1 ... -> m1/probabilities  > Mean -> probabilities -> Max(p, 1e-30) -> Log -> logits
/// </code>
/// Each member's graph is copied whole, its names prefixed with <c>m{i}/</c>; the input is shared. The result is an
/// ordinary classifier for the recogniser, the ML.NET transforms and <c>crnn</c>; it costs the members' time together.
/// Members trained on different splits have slightly different pixel statistics: the ensemble keeps the first
/// member's normalisation and gives each other member a Mul and an Add in front that turn that input into its own.
/// </summary>
public static class CrnnOnnxEnsemble
{
    /// <summary>Writes the ensemble of the classifier models at <paramref name="memberPaths"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="InvalidDataException">A member is not a readable CRNN classifier, or the members differ in labels, input or preprocessing (normalisation may differ).</exception>
    public static void Write(IReadOnlyList<string> memberPaths, string path, IProgress<CrnnExportProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(memberPaths);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var members = new List<(byte[], string)>();
        foreach (string member in memberPaths)
        {
            progress?.Report(new CrnnExportProgress($"reading {member}", 0.5 * members.Count / memberPaths.Count));
            if (!File.Exists(member)) throw new FileNotFoundException($"{member}: model file not found.", member);
            members.Add((File.ReadAllBytes(member), member));
        }
        byte[] bytes = Build(members).ToByteArray();
        AtomicFile.Write(path, bytes, written => progress?.Report(new CrnnExportProgress("writing", 0.5 + 0.5 * written / bytes.Length)));
        progress?.Report(new CrnnExportProgress("done", 1));
    }

    /// <summary>The ensemble of <paramref name="members"/> (ONNX bytes, and a name for errors) as an ONNX model.</summary>
    /// <inheritdoc cref="Write" path="/exception"/>
    public static ModelProto Build(IReadOnlyList<(byte[] Bytes, string Source)> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count < 2) throw new ArgumentException($"an ensemble needs at least two models, got {members.Count}.", nameof(members));
        var parsed = members.Select(m => Read(m.Bytes, m.Source)).ToList();
        var (first, firstMeta, firstSource) = parsed[0];
        foreach (var (model, meta, source) in parsed.Skip(1)) CheckCompatible(firstMeta, firstSource, model, meta, source, first);

        var g = new OnnxGraphBuilder("crnn-ensemble");
        string input = firstMeta.Input.Name;
        g.AddInput(first.Graph.Input.Single(i => i.Name == input).Clone());
        var memberOutputs = new List<string>();
        for (int i = 0; i < parsed.Count; i++)
        {
            var (model, meta, _) = parsed[i];
            string prefix = $"m{i}/";
            string memberInput = Renormalize(g, input, firstMeta.Normalization, meta.Normalization, prefix);
            string Rename(string name) => name.Length == 0 ? name : name == input ? memberInput : prefix + name;
            foreach (var init in model.Graph.Initializer)
            {
                var copy = init.Clone();
                copy.Name = Rename(init.Name);
                g.AddInitializer(copy);
            }
            foreach (var node in model.Graph.Node)
            {
                var copy = g.AddNode(node.OpType, Rename(node.Name), node.Input.Select(Rename), node.Output.Select(Rename),
                    node.Attribute.Select(a => a.Clone()).ToArray());
                copy.Domain = node.Domain;
            }
            memberOutputs.Add(Rename(meta.Output.Probabilities));
        }

        int classes = firstMeta.Labels.Count;
        string probabilities = firstMeta.Output.Probabilities, logits = firstMeta.Output.Logits;
        g.AddNode("Mean", "ensemble.mean", memberOutputs, [probabilities]);
        // Log of a probability that underflowed to 0 would be -inf: floor it far below any real score.
        g.AddInitializer("ensemble.floor", [1e-30f]);
        g.AddNode("Max", "ensemble.clamp", [probabilities, "ensemble.floor"], ["ensemble.floored"]);
        g.AddNode("Log", "ensemble.log", ["ensemble.floored"], [logits]);
        g.AddOutput(FloatValueInfo(logits, [null, classes], CrnnOnnxGraph.BatchDim, $"N x {classes} log of the mean probability (softmax gives the probabilities back)"));
        g.AddOutput(FloatValueInfo(probabilities, [null, classes], CrnnOnnxGraph.BatchDim, $"N x {classes} mean of the members' class probabilities, in label order"));
        g.Graph.DocString = $"Ensemble of {parsed.Count} CRNN classifiers: mean of their probabilities.";

        var metadata = firstMeta with
        {
            Architecture = new Dictionary<string, JsonElement>
            {
                ["ensemble"] = JsonSerializer.SerializeToElement(parsed.Count),
                ["members"] = JsonSerializer.SerializeToElement(parsed.Select(p => p.Meta.Architecture).ToList()),
            },
            Metrics = null,   // each member's training figures are not the ensemble's
            Producer = $"{CrnnOnnxExporter.ProducerName} {CrnnOnnxGraph.ProducerVersion()}",
        };
        var result = new ModelProto
        {
            IrVersion = first.IrVersion,
            ProducerName = CrnnOnnxExporter.ProducerName,
            ProducerVersion = CrnnOnnxGraph.ProducerVersion(),
            DocString = g.Graph.DocString,
            Graph = g.Graph,
        };
        result.OpsetImport.AddRange(first.OpsetImport.Select(o => o.Clone()));
        result.MetadataProps.Add(new StringStringEntryProto { Key = CrnnModelMetadata.MetadataKey, Value = metadata.ToJson() });
        result.MetadataProps.Add(new StringStringEntryProto { Key = "crnn.labels", Value = JsonSerializer.Serialize(metadata.Labels) });
        result.MetadataProps.Add(new StringStringEntryProto
        {
            Key = "crnn.architecture",
            Value = $"ensemble of {parsed.Count}: " + string.Join(" + ", parsed.Select(p =>
                p.Model.MetadataProps.FirstOrDefault(e => e.Key == "crnn.architecture")?.Value ?? "?")),
        });
        return result;
    }

    // The shared input is (p - m0) / s0; a member wants (p - m) / s = input * (s0 / s) + (m0 - m) / s.
    private static string Renormalize(OnnxGraphBuilder g, string input, CrnnNormalization shared, CrnnNormalization own, string prefix)
    {
        if (shared == own) return input;
        string scale = g.AddInitializer(prefix + "renormalize.scale", [(float)(shared.Std / own.Std)]);
        string shift = g.AddInitializer(prefix + "renormalize.shift", [(float)((shared.Mean - own.Mean) / own.Std)]);
        g.AddNode("Mul", prefix + "renormalize.mul", [input, scale], [prefix + "renormalize.scaled"]);
        g.AddNode("Add", prefix + "renormalize.add", [prefix + "renormalize.scaled", shift], [prefix + "input"]);
        return prefix + "input";
    }

    private static (ModelProto Model, CrnnModelMetadata Meta, string Source) Read(byte[] bytes, string source)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{source}: not an ONNX model ({e.Message}).", e);
        }
        string? json = model.MetadataProps.FirstOrDefault(p => p.Key == CrnnModelMetadata.MetadataKey)?.Value;
        if (json is null) throw new InvalidDataException($"{source}: no '{CrnnModelMetadata.MetadataKey}' metadata: not a model written by crnn.");
        var meta = CrnnModelMetadata.FromJson(json, source);
        if (model.Graph.Input.All(i => i.Name != meta.Input.Name))
            throw new InvalidDataException($"{source}: the graph has no input '{meta.Input.Name}' as its metadata says.");
        if (model.Graph.Output.All(o => o.Name != meta.Output.Probabilities))
            throw new InvalidDataException($"{source}: the graph has no output '{meta.Output.Probabilities}' as its metadata says.");
        return (model, meta, source);
    }

    // Members must read the same pixels the same way and name the same classes in the same order.
    private static void CheckCompatible(CrnnModelMetadata a, string aSource, ModelProto model, CrnnModelMetadata b, string bSource, ModelProto first)
    {
        void Differ(string what, string x, string y) =>
            throw new InvalidDataException($"{bSource}: {what} differs from {aSource}'s: expected {x}, got {y}. Ensemble members must agree on it.");
        if (!a.Labels.SequenceEqual(b.Labels, StringComparer.Ordinal))
            Differ("labels", string.Join(" ", a.Labels), string.Join(" ", b.Labels));
        string Json<T>(T value) => JsonSerializer.Serialize(value, CrnnModelMetadata.JsonOptions);
        if (Json(a.Input) != Json(b.Input)) Differ("input", Json(a.Input), Json(b.Input));
        if (Json(a.Preprocessing) != Json(b.Preprocessing)) Differ("preprocessing", Json(a.Preprocessing), Json(b.Preprocessing));
        string Opsets(ModelProto m) => string.Join(",", m.OpsetImport.Select(o => $"{o.Domain}:{o.Version}"));
        if (Opsets(first) != Opsets(model)) Differ("ONNX opset", Opsets(first), Opsets(model));
    }
}
