/// One video: its pre-extracted frame features (N × d) and per-frame class ids.
public struct Video: Sendable, Equatable {
    public var name: String
    public var activity: String
    /// Raw features as loaded, one row per frame (float64, as `numpy.loadtxt` gives them).
    public var features: Matrix<Double>
    /// Ground-truth class ids (resolved through the mapping), one per frame.
    public var labels: [Int]

    public init(name: String, activity: String, features: Matrix<Double>, labels: [Int]) {
        precondition(features.rows == labels.count, "one label per frame")
        self.name = name
        self.activity = activity
        self.features = features
        self.labels = labels
    }

    public var frameCount: Int { labels.count }

    /// Reads a features file (`.txt` or `.npy`), checking it is non-empty, 2-D and finite.
    public static func readFeatures(_ path: String) throws -> Matrix<Double> {
        let matrix: Matrix<Double>
        if path.hasSuffix(".npy") {
            let array = try NPY.read(path)
            guard array.shape.count == 2 else {
                throw InputError(path, "features must be a 2-D array (frames × dims), got shape \(array.shape)")
            }
            matrix = try array.matrix(source: path)
            if let bad = matrix.elements.firstIndex(where: { !$0.isFinite }) {
                throw InputError(path, "frame \(bad / max(matrix.columns, 1)) holds a non-finite value (\(matrix.elements[bad]))")
            }
        } else {
            matrix = try TextFiles.readFeatures(path)
        }
        guard matrix.rows > 0, matrix.columns > 0 else { throw InputError(path, "empty video (no frames or no feature dims)") }
        return matrix
    }
}
