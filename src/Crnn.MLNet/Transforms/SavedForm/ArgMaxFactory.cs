using Microsoft.ML.Transforms;

namespace Crnn.MLNet.Transforms.SavedForm;

/// <summary>The class of the highest score (uint.MaxValue for a row of NaN scores): the saved label mapping's first step.</summary>
[CustomMappingFactoryAttribute(Contract)]
internal sealed class ArgMaxFactory : CustomMappingFactory<ScoreRow, ClassRow>
{
    public const string Contract = "Crnn.ArgMax.v1";

    public override Action<ScoreRow, ClassRow> GetMapping() => static (src, dst) =>
    {
        int best = CrnnLabelMappingTransformer.ArgMax(src.CrnnScore, true);
        dst.CrnnClass = best < 0 ? uint.MaxValue : (uint)best;
    };
}
