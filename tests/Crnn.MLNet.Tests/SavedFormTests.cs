using System.Reflection;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Tests.Support;
using Crnn.MLNet.Transforms;
using Crnn.MLNet.Transforms.SavedForm;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Crnn.MLNet.Tests;

/// <summary>The saved (ML.NET-only) form of the normaliser computes what the live one does, for every setting.</summary>
public class SavedFormTests
{
    public static TheoryData<string, InkPolarity, CharacterFraming, BadImageHandling, CharacterCleanup> Combinations()
    {
        var data = new TheoryData<string, InkPolarity, CharacterFraming, BadImageHandling, CharacterCleanup>();
        foreach (var kind in new[] { "paths", "images", "floats", "bytes" })
            foreach (var polarity in Enum.GetValues<InkPolarity>())
                foreach (var framing in Enum.GetValues<CharacterFraming>())
                    foreach (var bad in Enum.GetValues<BadImageHandling>())
                        foreach (var cleanup in new[] { CharacterCleanup.Default, CharacterCleanup.None, CharacterCleanup.All })
                            data.Add(kind, polarity, framing, bad, cleanup);
        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Every_normaliser_setting_survives_save_and_load(string kind, InkPolarity polarity, CharacterFraming framing, BadImageHandling bad, CharacterCleanup cleanup)
    {
        using var set = new DigitSet(count: 8);
        var ml = new MLContext(1);
        // With Skip, a missing file and a size limit that some of the images exceed: the saved form must keep the limit.
        var paths = set.Paths.ToList();
        // (LoadImages itself throws on a missing file, so only the path input gets one.)
        if (bad == BadImageHandling.Skip && kind == "paths") paths.Add(set.Dir.File("missing.png"));
        IDataView data = kind switch
        {
            "paths" or "images" => ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { Image = p })),
            "floats" => ml.Data.LoadFromEnumerable(set.Pixels.Select(p => new FloatPixelRow { Image = p.Select(v => (float)v).ToArray() })),
            _ => ml.Data.LoadFromEnumerable(set.Pixels.Select(p => new BytePixelRow { Image = p })),
        };
        if (kind == "images") data = ml.Transforms.LoadImages("Loaded", null, "Image").Fit(data).Transform(data);
        long maxPixels = bad == BadImageHandling.Skip ? 12_000 : CrnnDefaults.MaxImagePixels;
        var options = new CrnnNormalizerOptions(inputColumnName: kind == "images" ? "Loaded" : "Image", polarity: polarity, framing: framing,
            badImages: bad, errorColumnName: "Why", maxImagePixels: maxPixels, cleanup: cleanup);
        using var model = CrnnOnnxModel.Load(set.ModelPath);
        var live = ml.Transforms.NormalizeHandwriting(model, options).Fit(data);

        var stream = new MemoryStream();
        ml.Model.Save(live, data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(2).Model.Load(stream, out _);
        Assert.IsNotType<CrnnNormalizingTransformer>(loaded);

        var expected = live.Transform(data);
        var actual = loaded.Transform(data);
        Assert.Equal(expected.Schema[options.OutputColumnName].Type, actual.Schema[options.OutputColumnName].Type);
        // Framing None needs images of the model's size: then both throw (or, with Skip, both report every row).
        var e = Outcome(expected, options.OutputColumnName, out string? liveError);
        var a = Outcome(actual, options.OutputColumnName, out string? savedError);
        Assert.Equal(liveError is null, savedError is null);
        if (liveError is not null)
        {
            Assert.Contains("column 'Loaded'".Replace("Loaded", options.InputColumnName), savedError);
            return;
        }
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
            for (int p = 0; p < e[i].Length; p++)
                Assert.True(e[i][p].Equals(a[i][p]) || Math.Abs(e[i][p] - a[i][p]) <= 1e-6f * Math.Max(1, Math.Abs(e[i][p])), $"row {i} pixel {p}: {e[i][p]} vs {a[i][p]}");
        if (bad == BadImageHandling.Skip)
        {
            var whyLive = expected.GetColumn<string>("Why").ToArray();
            var whySaved = actual.GetColumn<string>("Why").ToArray();
            Assert.Equal(whyLive.Select(w => w.Length > 0), whySaved.Select(w => w.Length > 0));
            if (kind == "paths") Assert.Contains(whySaved, w => w.Contains("missing.png"));
            if (kind is "paths" or "images") Assert.Contains(whySaved, w => w.Contains("12000") || w.Contains("12,000"));
        }
        else
        {
            Assert.DoesNotContain(actual.Schema, c => c.Name == "Why");
        }
        // No temporary column of the saved form is left behind.
        Assert.Equal(expected.Schema.Select(c => c.Name), actual.Schema.Select(c => c.Name));
    }

    private static float[][] Outcome(IDataView view, string column, out string? error)
    {
        try
        {
            error = null;
            return view.GetColumn<float[]>(column).ToArray();
        }
        catch (Exception e)
        {
            // ML.NET's parallel cursor wraps what a row threw.
            var inner = e;
            while (inner is not InvalidDataException && inner.InnerException is not null) inner = inner.InnerException;
            Assert.IsType<InvalidDataException>(inner);
            error = inner.Message;
            return [];
        }
    }

    [Fact]
    public void A_saved_throwing_normaliser_names_the_column_and_the_file()
    {
        using var set = new DigitSet(count: 2);
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new PathRow { Image = set.Paths[0] }, new PathRow { Image = set.Dir.File("gone.png") } });
        using var model = CrnnOnnxModel.Load(set.ModelPath);
        var live = ml.Transforms.NormalizeHandwriting(model, new CrnnNormalizerOptions(inputColumnName: "Image")).Fit(data);
        var stream = new MemoryStream();
        ml.Model.Save(live, data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(2).Model.Load(stream, out _);
        Outcome(loaded.Transform(data), CrnnDefaults.NormalizedColumnName, out string? error);
        Assert.Contains("gone.png", error);
        Assert.Contains("column 'Image'", error);
    }

    [Fact]
    public void Contract_names_are_fixed_and_each_has_one_internal_factory()
    {
        // A saved file refers to these names: changing one breaks every model saved before. They are literals here on purpose.
        string[] expected =
        [
            "Crnn.Settings.v1", "Crnn.Normalize.Path.v2", "Crnn.Normalize.Image.v2", "Crnn.Normalize.Pixels.v2",
            "Crnn.ArgMax.v1", "Crnn.LineInput.Path.v1", "Crnn.LineInput.Image.v1", "Crnn.CtcDecode.v1",
        ];
        Assert.Equal(expected, CrnnSavedForms.Contracts);
        var factories = typeof(CrnnModel).Assembly.GetTypes()
            .Select(t => (Type: t, Attribute: t.GetCustomAttribute<CustomMappingFactoryAttributeAttribute>()))
            .Where(f => f.Attribute is not null).ToArray();
        Assert.Equal(expected.Order(), factories.Select(f => f.Attribute!.ContractName).Order());
        Assert.All(factories, f => Assert.False(f.Type.IsPublic, $"{f.Type.Name} is on the public surface"));
        Assert.DoesNotContain(typeof(CrnnModel).Assembly.GetExportedTypes(), t => t.Namespace == typeof(SettingsFactory).Namespace);
    }

    [Fact]
    public void Settings_use_fixed_words_and_unknown_ones_are_refused_by_name()
    {
        Assert.Equal("dark-on-light", SavedNames.Of(InkPolarity.DarkOnLight));
        Assert.Equal("none", SavedNames.Of(CharacterFraming.None));
        Assert.Equal("skip", SavedNames.Of(BadImageHandling.Skip));
        foreach (var p in Enum.GetValues<InkPolarity>()) Assert.Equal(p, SavedNames.Polarity(SavedNames.Of(p)));
        foreach (var f in Enum.GetValues<CharacterFraming>()) Assert.Equal(f, SavedNames.Framing(SavedNames.Of(f)));
        foreach (var b in Enum.GetValues<BadImageHandling>()) Assert.Equal(b, SavedNames.BadImages(SavedNames.Of(b)));
        foreach (var c in new[] { CharacterCleanup.None, CharacterCleanup.FlattenBackground, CharacterCleanup.KeepCentralInk, CharacterCleanup.All })
            Assert.Equal(c, SavedNames.Cleanup(SavedNames.Of(c)));
        Assert.Equal("flatten-background,keep-central-ink", SavedNames.Of(CharacterCleanup.All));
        // Every combination of line clean-up steps survives a save (a step missing here would be dropped silently).
        for (int v = 0; v <= (int)LineCleanup.All; v++)
            if (((LineCleanup)v & ~LineCleanup.All) == 0) Assert.Equal((LineCleanup)v, SavedNames.LineCleanup(SavedNames.Of((LineCleanup)v)));
        Assert.Equal("remove-borders,remove-ruling-lines,locate-text,deskew,deslant", SavedNames.Of(LineCleanup.All));
        foreach (var m in Enum.GetValues<Decoding.CrnnCtcDecodingMode>()) Assert.Equal(m, SavedNames.DecodingMode(SavedNames.Of(m)));
        var e = Assert.Throws<InvalidDataException>(() => SavedNames.Polarity("DarkOnLight"));
        Assert.Contains("unknown polarity 'DarkOnLight'", e.Message);
        var garbled = Assert.Throws<InvalidDataException>(() => SavedConfig.Decode<CharacterConfig>("not base64!"));
        Assert.Contains("settings cannot be read", garbled.Message);
    }
}
