/// The layers' own parameter types are the shared containers of `ModelParameters` (torch
/// layouts), so that the model's wiring hands them to the layers without conversion: both
/// backends' `Linear.Parameters`, `LayerNorm.Parameters` and `MultiHeadAttention.Parameters`
/// are `Dense`, `Norm` and `Attention`. Gradients come back in the same shape.

extension ModelParameters.Dense {
    /// Zeros of the shape of a layer from `inputs` to `outputs` features.
    public static func zeros(inputs: Int, outputs: Int) -> Self {
        Self(weight: .zeros(outputs, inputs), bias: [Scalar](repeating: 0, count: outputs))
    }

    public var inputs: Int { weight.columns }
    public var outputs: Int { weight.rows }
}

extension ModelParameters.Norm {
    /// torch's initialisation: γ = 1, β = 0.
    public static func identity(_ dimension: Int) -> Self {
        Self(gamma: [Scalar](repeating: 1, count: dimension), beta: [Scalar](repeating: 0, count: dimension))
    }
}

extension ModelParameters.Attention {
    /// Zeros for width D.
    public static func zeros(dimension d: Int) -> Self {
        Self(inWeight: .zeros(3 * d, d), inBias: [Scalar](repeating: 0, count: 3 * d),
             outWeight: .zeros(d, d), outBias: [Scalar](repeating: 0, count: d))
    }

    /// D, the model width.
    public var dimension: Int { outWeight.rows }
}
