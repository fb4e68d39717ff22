using Crnn.MLNet.Training.Model;

namespace Crnn.MLNet.Training.Lines;

/// <summary>What <see cref="CtcLineTrainer.Train"/> returns: the model with its best weights and the run's final state.</summary>
public sealed record LineTrainingResult(CrnnLineModel Model, LineCheckpointState State, string CheckpointPath);
