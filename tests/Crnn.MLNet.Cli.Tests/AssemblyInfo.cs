// Training in tests seeds LibTorch's process-wide generator; tests must not interleave.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
