using Microsoft.ML.OnnxRuntime;

namespace Crnn.MLNet.Model;

/// <summary>
/// Input and output tensors of one batch size bound once over caller-owned arrays (ONNX Runtime I/O binding), so that
/// repeated runs create no tensors, pin nothing and allocate nothing: the scoring cursors run the same shapes batch
/// after batch, and prediction engines one row after another. One user at a time; dispose to unpin the arrays.
/// </summary>
internal sealed class CrnnBoundRun : IDisposable
{
    private readonly CrnnOnnxModel _model;
    private readonly OrtValue[] _values;
    private int _disposed;

    internal CrnnBoundRun(CrnnOnnxModel model, InferenceSession session, float[] inputs, int count, float[] probabilities, float[] logits)
    {
        _model = model;
        Session = session;
        Count = count;
        int classes = model.ClassCount;
        var values = new List<OrtValue>(3);
        try
        {
            Binding = session.CreateIoBinding();
            var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, inputs.AsMemory(0, count * model.InputSize),
                [count, 1, model.InputHeight, model.InputWidth]);
            values.Add(input);
            Binding.BindInput(model.Metadata.Input.Name, input);
            var probs = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, probabilities.AsMemory(0, count * classes), [count, classes]);
            values.Add(probs);
            Binding.BindOutput(model.Metadata.Output.Probabilities, probs);
            if (logits.Length > 0)
            {
                var logs = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, logits.AsMemory(0, count * classes), [count, classes]);
                values.Add(logs);
                Binding.BindOutput(model.Metadata.Output.Logits, logs);
            }
        }
        catch
        {
            Binding?.Dispose();
            foreach (var v in values) v.Dispose();
            throw;
        }
        _values = values.ToArray();
    }

    /// <summary>Images per run.</summary>
    public int Count { get; }

    internal OrtIoBinding Binding { get; }

    /// <summary>The session the binding belongs to (runs must use it).</summary>
    internal InferenceSession Session { get; }

    /// <summary>Scores the <see cref="Count"/> images now in the input array into the output arrays.</summary>
    public void Run() => _model.RunBound(this);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Binding.Dispose();
        foreach (var v in _values) v.Dispose();
    }
}
