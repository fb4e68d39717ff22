using Microsoft.ML.Transforms;

namespace Crnn.MLNet.Transforms.SavedForm;

/// <summary>
/// A column of zeros from no input; an <c>Expression</c> turns it into the constant settings text that the saved CRNN
/// mappings read (see <see cref="SavedConfig"/>). ML.NET's expression needs an input column, and the pipeline's own
/// columns may all be images or vectors, which expressions cannot take.
/// </summary>
[CustomMappingFactoryAttribute(Contract)]
internal sealed class SettingsFactory : CustomMappingFactory<NoColumns, ZeroRow>
{
    public const string Contract = "Crnn.Settings.v1";

    public override Action<NoColumns, ZeroRow> GetMapping() => static (_, dst) => dst.CrnnZero = 0;
}
