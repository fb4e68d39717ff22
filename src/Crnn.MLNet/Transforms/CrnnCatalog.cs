using Crnn.MLNet.Model;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Crnn.MLNet.Transforms;

/// <summary>
/// ML.NET catalog methods for CRNN handwriting recognition.
/// </summary>
/// <remarks>
/// <para>Whole classifier, on any pipeline:</para>
/// <code>
/// var pipeline = mlContext.Transforms.CopyColumns("Image", "Path")
///     .AppendCrnnClassifier(mlContext, "models/mnist-crnn.onnx");
/// var scored = pipeline.Fit(data).Transform(data);   // Score, PredictedLabel (key), PredictedLabelText
/// </code>
/// <para>The input column may hold image paths (text; decoded by this library, which checks the image size from the
/// header first and names the file in every error), images (<see cref="MLImage"/>, e.g. from <c>LoadImages</c>), or pixel
/// vectors of Height x Width values (<see cref="float"/> 0..255 or <see cref="byte"/>), row-major. Pixel vectors are
/// taken as already framed like the training data (as MNIST's IDX files are) unless framing <c>Fit</c> is chosen.</para>
/// <para>Evaluation: map the label column onto the model's keys first, so that key k means the model's class k whatever
/// order labels appear in the data: <c>mlContext.Transforms.Conversion.MapLabelsToCrnnKeys(model.Labels, "Label")</c>,
/// then <c>mlContext.MulticlassClassification.Evaluate(scored, "Label")</c>.</para>
/// <para>Thread safety: fitted transformers can be shared between threads; a <c>PredictionEngine</c> cannot (use one per
/// thread or <c>PredictionEnginePool</c>). Saving: see <see cref="CrnnModel"/>.</para>
/// </remarks>
public static class CrnnCatalog
{
    /// <summary>Normalises handwriting images in <paramref name="inputColumnName"/> into the model's input.</summary>
    public static CrnnNormalizingEstimator NormalizeHandwriting(this TransformsCatalog catalog, string modelPath,
        string outputColumnName = CrnnDefaults.NormalizedColumnName, string inputColumnName = CrnnDefaults.InputColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new CrnnNormalizingEstimator(CrnnOnnxModel.Load(modelPath), new CrnnNormalizerOptions(inputColumnName, outputColumnName));
    }

    /// <summary>Normalises handwriting images as <paramref name="model"/>'s metadata says, with <paramref name="options"/>.</summary>
    public static CrnnNormalizingEstimator NormalizeHandwriting(this TransformsCatalog catalog, CrnnOnnxModel model, CrnnNormalizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        return new CrnnNormalizingEstimator(model, options);
    }

    /// <summary>Scores normalised inputs with the CRNN model in batches (one ONNX Runtime session per transformer).</summary>
    public static CrnnScoringEstimator ScoreCrnn(this TransformsCatalog catalog, string modelPath,
        string outputColumnName = CrnnDefaults.ScoreColumnName, string inputColumnName = CrnnDefaults.NormalizedColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new CrnnScoringEstimator(CrnnOnnxModel.Load(modelPath), new CrnnScorerOptions(inputColumnName, outputColumnName), ownsModel: true);
    }

    /// <summary>Scores normalised inputs with an opened model (the caller keeps ownership of <paramref name="model"/>).</summary>
    public static CrnnScoringEstimator ScoreCrnn(this TransformsCatalog catalog, CrnnOnnxModel model, CrnnScorerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        return new CrnnScoringEstimator(model, options, ownsModel: false);
    }

    /// <summary>Adds <c>PredictedLabel</c> (key, key values = the model's labels) and <c>PredictedLabelText</c> from the scores.</summary>
    public static CrnnLabelMappingEstimator MapCrnnScoreToLabel(this TransformsCatalog catalog, CrnnOnnxModel model,
        CrnnLabelMappingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        return new CrnnLabelMappingEstimator(model.Labels, options ?? new CrnnLabelMappingOptions());
    }

    /// <summary>The whole classifier (normaliser, batched scoring, label mapping) from a model file.</summary>
    public static EstimatorChain<CrnnLabelMappingTransformer> ClassifyHandwriting(this TransformsCatalog catalog, string modelPath,
        string inputColumnName = CrnnDefaults.InputColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var options = new CrnnClassifierOptions(inputColumnName);
        return Classifier(CrnnOnnxModel.Load(modelPath, options.SessionOptions), options);
    }

    /// <summary>The whole classifier from a model stream, with options.</summary>
    public static EstimatorChain<CrnnLabelMappingTransformer> ClassifyHandwriting(this TransformsCatalog catalog, Stream model,
        CrnnClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options ??= new CrnnClassifierOptions();
        return Classifier(CrnnOnnxModel.Load(model, "model stream", options.SessionOptions), options);
    }

    /// <summary>Appends the whole classifier to a pipeline: <c>pipeline.AppendCrnnClassifier(mlContext, "model.onnx")</c>.</summary>
    public static EstimatorChain<CrnnLabelMappingTransformer> AppendCrnnClassifier<TTrans>(this IEstimator<TTrans> start,
        MLContext mlContext, string modelPath, CrnnClassifierOptions? options = null) where TTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(mlContext);
        options ??= new CrnnClassifierOptions();
        return Append(start, CrnnOnnxModel.Load(modelPath, options.SessionOptions), options);
    }

    /// <summary>Appends the whole classifier, reading the model from a stream.</summary>
    public static EstimatorChain<CrnnLabelMappingTransformer> AppendCrnnClassifier<TTrans>(this IEstimator<TTrans> start,
        MLContext mlContext, Stream model, CrnnClassifierOptions? options = null) where TTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(mlContext);
        options ??= new CrnnClassifierOptions();
        return Append(start, CrnnOnnxModel.Load(model, "model stream", options.SessionOptions), options);
    }

    /// <summary>Appends the whole classifier using an opened model (the pipeline's scorer then owns and disposes it).</summary>
    public static EstimatorChain<CrnnLabelMappingTransformer> AppendCrnnClassifier<TTrans>(this IEstimator<TTrans> start,
        MLContext mlContext, CrnnOnnxModel model, CrnnClassifierOptions? options = null) where TTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        return Append(start, model, options ?? new CrnnClassifierOptions());
    }

    private static EstimatorChain<CrnnLabelMappingTransformer> Append<TTrans>(IEstimator<TTrans> start, CrnnOnnxModel model, CrnnClassifierOptions options)
        where TTrans : class, ITransformer =>
        start.Append(new CrnnNormalizingEstimator(model, options.Normalizer))
            .Append(new CrnnScoringEstimator(model, options.Scorer, ownsModel: true))
            .Append(new CrnnLabelMappingEstimator(model.Labels, options.Labels));

    private static EstimatorChain<CrnnLabelMappingTransformer> Classifier(CrnnOnnxModel model, CrnnClassifierOptions options) =>
        new EstimatorChain<ITransformer>()
            .Append(new CrnnNormalizingEstimator(model, options.Normalizer))
            .Append(new CrnnScoringEstimator(model, options.Scorer, ownsModel: true))
            .Append(new CrnnLabelMappingEstimator(model.Labels, options.Labels));

    /// <summary>
    /// Reads lines of handwriting with a CRNN line (CTC) model: adds <c>Text</c>, <c>Confidence</c> and <c>Alternatives</c>
    /// (see <see cref="CrnnTextTransformOptions"/>). The input column holds images (<see cref="MLImage"/>) or image paths.
    /// </summary>
    public static CrnnTextRecognizingEstimator ReadHandwrittenText(this TransformsCatalog catalog, string modelPath,
        string inputColumnName = CrnnDefaults.InputColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return TextRecognizer(modelPath, new CrnnTextTransformOptions(inputColumnName));
    }

    /// <summary>Reads lines of handwriting with a CRNN line model file, with <paramref name="options"/>.</summary>
    public static CrnnTextRecognizingEstimator ReadHandwrittenText(this TransformsCatalog catalog, string modelPath, CrnnTextTransformOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return TextRecognizer(modelPath, options);
    }

    /// <summary>Reads lines of handwriting with an opened line model (the caller keeps ownership of <paramref name="model"/>).</summary>
    public static CrnnTextRecognizingEstimator ReadHandwrittenText(this TransformsCatalog catalog, CrnnLineOnnxModel model, CrnnTextTransformOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        return new CrnnTextRecognizingEstimator(model, options, ownsModel: false);
    }

    /// <summary>Appends the text recogniser to a pipeline: <c>pipeline.AppendCrnnTextRecognizer(mlContext, "lines.onnx")</c>.</summary>
    public static EstimatorChain<CrnnTextRecognizingTransformer> AppendCrnnTextRecognizer<TTrans>(this IEstimator<TTrans> start,
        MLContext mlContext, string modelPath, string inputColumnName = CrnnDefaults.InputColumnName) where TTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(mlContext);
        return start.Append(TextRecognizer(modelPath, new CrnnTextTransformOptions(inputColumnName)));
    }

    /// <summary>Appends the text recogniser to a pipeline, with <paramref name="options"/> (columns, decoding, polarity, session).</summary>
    public static EstimatorChain<CrnnTextRecognizingTransformer> AppendCrnnTextRecognizer<TTrans>(this IEstimator<TTrans> start,
        MLContext mlContext, string modelPath, CrnnTextTransformOptions options) where TTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(options);
        return start.Append(TextRecognizer(modelPath, options));
    }

    private static CrnnTextRecognizingEstimator TextRecognizer(string modelPath, CrnnTextTransformOptions options)
    {
        var model = CrnnLineOnnxModel.Load(modelPath, options.SessionOptions);
        try { return new CrnnTextRecognizingEstimator(model, options, ownsModel: true); }
        catch { model.Dispose(); throw; }
    }

    /// <summary>
    /// Maps a label column (text such as "7", a number, or a key with text key values) onto the model's classes by label
    /// TEXT: key k = the model's class k, key values = the model's labels. Labels not among the model's become the
    /// missing key (0). Use before <c>mlContext.MulticlassClassification.Evaluate</c>. The column's type is read from the
    /// data the estimator is fitted on.
    /// </summary>
    public static IEstimator<ITransformer> MapLabelsToCrnnKeys(this TransformsCatalog.ConversionTransforms catalog,
        IReadOnlyList<string> modelLabels, string outputColumnName, string? inputColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(modelLabels);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        return new CrnnLabelKeyEstimator(modelLabels, outputColumnName, inputColumnName ?? outputColumnName);
    }

    /// <inheritdoc cref="MapLabelsToCrnnKeys(TransformsCatalog.ConversionTransforms, IReadOnlyList{string}, string, string?)"/>
    public static IEstimator<ITransformer> MapLabelsToCrnnKeys(this TransformsCatalog.ConversionTransforms catalog,
        CrnnOnnxModel model, string outputColumnName, string? inputColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return catalog.MapLabelsToCrnnKeys(model.Labels, outputColumnName, inputColumnName);
    }
}
