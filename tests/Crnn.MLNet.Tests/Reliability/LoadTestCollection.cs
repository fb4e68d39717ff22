namespace Crnn.MLNet.Tests.Reliability;

/// <summary>
/// The load and memory tests run alone: heap and working-set figures are process-wide, so other tests running at the
/// same time would blur them (and the 8 threads would slow the others down).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadTestCollection
{
    public const string Name = "load tests (run alone)";
}
