namespace Crnn.MLNet.Training.Model;

/// <summary>The recurrent layer that reads the CNN's feature columns.</summary>
public enum RecurrentKind
{
    /// <summary>Long short-term memory (default).</summary>
    Lstm,
    /// <summary>Gated recurrent unit: fewer parameters, a little faster.</summary>
    Gru,
}
