using System.Net;
using System.Text.Json;
using Crnn.MLNet.Tests.Support;
using static Crnn.MLNet.Hosting.Tests.EndpointTests;

namespace Crnn.MLNet.Hosting.Tests;

/// <summary>A model file replaced while the server runs is picked up; a broken replacement is reported and the old model kept.</summary>
public class ReloadTests
{
    private static async Task<float> Confidence(ServingHost host, byte[] image) =>
        (await Json(await host.Client.PostAsync("/v1/classify", Png(image)))).GetProperty("confidence").GetSingle();

    private static async Task<JsonElement> WaitForModels(ServingHost host, Func<JsonElement, bool> done)
    {
        for (int i = 0; i < 100; i++)
        {
            var models = await Json(await host.Client.GetAsync("/v1/models"));
            if (done(models[0])) return models[0];
            await Task.Delay(100);
        }
        throw new TimeoutException("the model file change was not picked up within 10 s");
    }

    [Fact]
    public async Task A_replaced_model_file_is_served_after_the_change_and_a_broken_one_is_reported()
    {
        await using var host = await ServingHost.StartAsync(reload: true);
        byte[] image = Digit("5");
        float before = await Confidence(host, image);
        var first = (await Json(await host.Client.GetAsync("/v1/models")))[0].GetProperty("loadedAt").GetDateTimeOffset();

        // Replaced the way careful writers do it: a temporary file renamed over the old one.
        string temp = host.Dir.File("next.tmp");
        File.WriteAllBytes(temp, TestModels.Build(seed: 99));
        File.Move(temp, host.ClassifierPath, overwrite: true);
        await WaitForModels(host, m => m.GetProperty("loadedAt").GetDateTimeOffset() > first);
        Assert.NotEqual(before, await Confidence(host, image));

        File.WriteAllBytes(host.ClassifierPath, [1, 2, 3]);
        var broken = await WaitForModels(host, m => m.GetProperty("reloadError").ValueKind == JsonValueKind.String);
        Assert.Contains("digits.onnx", broken.GetProperty("reloadError").GetString());
        var health = await Json(await host.Client.GetAsync("/healthz"));
        Assert.Equal("Degraded", health.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/v1/classify", Png(image))).StatusCode);
    }
}
