using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Crnn.MLNet.Recognition;
using Crnn.MLNet.Tests.Support;

namespace Crnn.MLNet.Hosting.Tests;

/// <summary>The endpoints as a client sees them: answers, their JSON, the OpenAPI document, health.</summary>
public class EndpointTests
{
    internal static ByteArrayContent Png(byte[] bytes, string type = "image/png")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    internal static byte[] Digit(string text) => TestImages.Encode(TestImages.Text(text));

    internal static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task Classify_answers_as_the_recognizer_does_for_a_raw_body_and_a_form()
    {
        await using var host = await ServingHost.StartAsync();
        byte[] image = Digit("4");
        using var recognizer = CrnnRecognizer.Open(host.ClassifierPath);
        var expected = recognizer.Predict(new MemoryStream(image));

        var raw = await Json(await host.Client.PostAsync("/v1/classify?top=2&input=true", Png(image)));
        Assert.Equal(expected.Label, raw.GetProperty("label").GetString());
        Assert.Equal(expected.Confidence, raw.GetProperty("confidence").GetSingle(), 5);
        Assert.Equal(2, raw.GetProperty("alternatives").GetArrayLength());
        Assert.Equal(expected.Top(2)[1].Label, raw.GetProperty("alternatives")[1].GetProperty("label").GetString());
        var input = raw.GetProperty("input");
        Assert.Equal(28, input.GetProperty("width").GetInt32());
        byte[] pixels = input.GetProperty("pixels").GetBytesFromBase64();
        Assert.Equal(28 * 28, pixels.Length);
        Assert.Contains(pixels, p => p > 200);       // the ink, bright as the model sees it
        Assert.True(pixels[0] < 10, "the border is dark");
        Assert.True(raw.GetProperty("timings").GetProperty("totalMs").GetDouble() > 0);

        using var form = new MultipartFormDataContent { { Png(image), "image", "four.png" } };
        var viaForm = await Json(await host.Client.PostAsync("/v1/classify", form));
        Assert.Equal(expected.Label, viaForm.GetProperty("label").GetString());
        Assert.Equal(3, viaForm.GetProperty("alternatives").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, viaForm.GetProperty("input").ValueKind);
    }

    [Fact]
    public async Task Read_answers_text_characters_and_follows_pattern_alphabet_and_beam()
    {
        await using var host = await ServingHost.StartAsync();
        byte[] line = TestLineModels.Png("2113");
        var r = await Json(await host.Client.PostAsync("/v1/read?input=true", Png(line)));
        Assert.Equal("2113", r.GetProperty("text").GetString());
        Assert.Equal(4, r.GetProperty("characters").GetArrayLength());
        Assert.Equal("2", r.GetProperty("characters")[0].GetProperty("character").GetString());
        var view = r.GetProperty("input");
        Assert.Equal(28, view.GetProperty("height").GetInt32());
        Assert.Equal(view.GetProperty("width").GetInt32() * 28, view.GetProperty("pixels").GetBytesFromBase64().Length);

        var constrained = await Json(await host.Client.PostAsync("/v1/read?pattern=" + Uri.EscapeDataString(@"\d{3}") + "&beam=20&top=1", Png(line)));
        Assert.Equal(3, constrained.GetProperty("text").GetString()!.Length);
        Assert.Equal(1, constrained.GetProperty("characters")[0].GetProperty("alternatives").GetArrayLength());
        var alphabet = await Json(await host.Client.PostAsync("/v1/read?alphabet=23", Png(line)));
        Assert.DoesNotContain('1', alphabet.GetProperty("text").GetString()!);
    }

    [Fact]
    public async Task Models_health_and_openapi_describe_what_is_served()
    {
        await using var host = await ServingHost.StartAsync();
        var models = await Json(await host.Client.GetAsync("/v1/models"));
        Assert.Equal(["classifier", "line"], models.EnumerateArray().Select(m => m.GetProperty("kind").GetString()));
        Assert.Equal("digits.onnx", models[0].GetProperty("file").GetString());
        Assert.Equal(10, models[0].GetProperty("labels").GetArrayLength());
        Assert.DoesNotContain(host.Dir.Path, models.GetRawText());    // file names only: no server paths

        var health = await Json(await host.Client.GetAsync("/healthz"));
        Assert.Equal("Healthy", health.GetProperty("status").GetString());

        var openApi = await Json(await host.Client.GetAsync("/openapi/crnn.json"));
        var paths = openApi.GetProperty("paths");
        foreach (string path in new[] { "/v1/classify", "/v1/read", "/v1/models" }) Assert.True(paths.TryGetProperty(path, out _), path);
        var content = paths.GetProperty("/v1/classify").GetProperty("post").GetProperty("requestBody").GetProperty("content");
        Assert.True(content.TryGetProperty("image/png", out _));
        Assert.True(content.TryGetProperty("multipart/form-data", out _));

        var page = await host.Client.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<canvas id=\"pad\"", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Labels_in_other_scripts_are_written_as_themselves()
    {
        await using var host = await ServingHost.StartAsync();
        string path = host.Dir.File("kannada.onnx");
        File.WriteAllBytes(path, TestModels.Build(["೦", "೧", "೨", "೩", "೪", "೫", "೬", "೭", "೮", "೯"]));
        File.Copy(path, host.ClassifierPath, overwrite: true);
        var slot = (Models.CrnnRecognizerSlot)host.Services.GetService(typeof(Models.CrnnRecognizerSlot))!;
        Assert.True(slot.Reload());
        var response = await host.Client.PostAsync("/v1/classify", Png(Digit("3")));
        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches("\"label\":\"[೦-೯]\"", body);
        Assert.DoesNotContain("\\u0C", body);
    }
}
