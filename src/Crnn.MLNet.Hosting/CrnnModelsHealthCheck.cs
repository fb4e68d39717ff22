using Crnn.MLNet.Hosting.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Crnn.MLNet.Hosting;

/// <summary>
/// Healthy when every served model is loaded and scores; degraded when a changed model file could not be loaded (the
/// previous model is still served). Scores one blank image per model, so a broken ONNX Runtime shows here too.
/// </summary>
internal sealed class CrnnModelsHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>();
        var problems = new List<string>();
        try
        {
            if (services.GetService<CrnnRecognizerSlot>() is { } classifier)
            {
                using var lease = classifier.Acquire();
                var input = lease.Value.Model.Metadata.Input;
                lease.Value.Predict(new byte[input.Width * input.Height], input.Width, input.Height);
                data["classifier"] = Path.GetFileName(classifier.ModelPath);
                if (classifier.ReloadError is { } e) problems.Add($"classifier: {e}");
            }
            if (services.GetService<CrnnTextRecognizerSlot>() is { } line)
            {
                using var lease = line.Acquire();
                int h = lease.Value.Model.Metadata.Input.Height;
                lease.Value.Default.Predict(new byte[h * h], h, h);
                data["line"] = Path.GetFileName(line.ModelPath);
                if (line.ReloadError is { } e) problems.Add($"line: {e}");
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"a model cannot score: {e.Message}", e, data));
        }
        if (data.Count == 0) return Task.FromResult(HealthCheckResult.Unhealthy("no model is registered (AddCrnnRecognizer, AddCrnnTextRecognizer)."));
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy("models loaded and scoring", data)
            : HealthCheckResult.Degraded("serving the previous model: " + string.Join("; ", problems), data: data));
    }
}
