// LibTorch's random generator and thread count are process-wide: tests that seed or train
// must not interleave, or "same seed, same result" would fail by accident.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
