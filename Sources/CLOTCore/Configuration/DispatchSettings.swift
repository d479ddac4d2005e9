/// Feature dispatching's two settings beyond the released module; both backends'
/// `FeatureDispatching.Settings` are this type. A CLOT model takes them from the choices
/// `fd-padding` and `fd-renormalise` (Documentation/Choices.md); the initialiser's defaults
/// are the layer's own (both on), not the model's.
public struct DispatchSettings: Equatable, Sendable {
    /// Leave padded frames (frame mask false) out of g_k's sums and counts.
    /// Their f'_t is still computed, from the real frames' g_k, and is meaningless. The
    /// released module has no mask: padding enters g_k and the counts (false).
    public var maskPadding: Bool
    /// f'_t ← f'_t / max(‖f'_t‖, 1e-12) before it meets A. The released
    /// module returns f_t + Σ_k S_kt g_k as it is (false).
    public var renormalise: Bool

    public init(maskPadding: Bool = true, renormalise: Bool = true) {
        self.maskPadding = maskPadding
        self.renormalise = renormalise
    }

    /// What `feature_dispatching.py` computes: no mask, no renormalisation.
    public static let released = DispatchSettings(maskPadding: false, renormalise: false)
}
