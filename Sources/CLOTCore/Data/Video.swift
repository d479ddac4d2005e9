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
        if path.hasSuffix(".npy") { return try features(NPY.read(path), source: path) }
        return try features(TextFiles.readFeatures(path), source: path)
    }

    /// The features a file's bytes hold (`.npy` or text, by the name `path`), checked as
    /// `readFeatures` checks them: for callers that also hash the bytes they read.
    public static func parseFeatures(bytes: [UInt8], path: String) throws -> Matrix<Double> {
        if path.hasSuffix(".npy") { return try features(NPY.decode(bytes, source: path), source: path) }
        return try features(TextFiles.parseFeatures(bytes: bytes, source: path), source: path)
    }

    private static func features(_ array: NPYArray, source path: String) throws -> Matrix<Double> {
        guard array.shape.count == 2 else {
            throw InputError(path, "features must be a 2-D array (frames × dims), got shape \(array.shape)")
        }
        let matrix = try array.matrix(source: path)
        if let bad = matrix.elements.firstIndex(where: { !$0.isFinite }) {
            throw InputError(path, "frame \(bad / max(matrix.columns, 1)) holds a non-finite value (\(matrix.elements[bad]))")
        }
        return try features(matrix, source: path)
    }

    /// Checks the matrix has frames and features.
    private static func features(_ matrix: Matrix<Double>, source path: String) throws -> Matrix<Double> {
        guard matrix.rows > 0, matrix.columns > 0 else { throw InputError(path, "empty video (no frames or no feature dims)") }
        return matrix
    }
}
