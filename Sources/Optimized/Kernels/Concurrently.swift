extension Optimized {
    /// Runs `first` on the calling thread and `second` on the helper thread at the same time,
    /// and returns when both have finished. For two pieces of work of a training step that
    /// share no data. With one solver thread (`CLOT_SOLVER_THREADS=1`, or a one-core machine),
    /// or while another caller holds the helper, both run on the caller, `first` first. Each
    /// closure must write only what the other does not touch; the results are then the same
    /// either way.
    static func concurrently(_ first: () -> Void, _ second: @escaping () -> Void) {
        guard let helper = HelperThread.claim() else {
            first()
            second()
            return
        }
        defer { helper.release() }
        helper.start(second)
        first()
        helper.wait()
    }
}
