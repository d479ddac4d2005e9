/// Per-item feature standardisation of the ASOT loader (flag `-s`, Breakfast only;
/// Documentation/Method.md §1, Documentation/Audit.md item 2).
///
/// Over the rows of the item (the sampled rows in training and validation, padding repeats
/// included; every row at test): rows whose sum is exactly 0 count as missing; each column is
/// shifted by its mean and divided by its standard deviation (ddof 0) over the other rows;
/// missing rows stay 0; NaN becomes 0 and ±∞ the largest finite double (`numpy.nan_to_num`);
/// then everything is divided by √d.
public enum Standardisation {
    public static func standardise(_ x: Matrix<Double>) -> Matrix<Double> {
        let n = x.rows, d = x.columns
        var present = [Bool](repeating: false, count: n)
        for i in 0..<n {
            var sum = 0.0
            for j in 0..<d { sum += x[i, j] }
            present[i] = sum != 0
        }
        let count = Double(present.filter { $0 }.count)
        var mean = [Double](repeating: 0, count: d), std = [Double](repeating: 0, count: d)
        for i in 0..<n where present[i] { for j in 0..<d { mean[j] += x[i, j] } }
        for j in 0..<d { mean[j] /= count }
        for i in 0..<n where present[i] { for j in 0..<d { std[j] += (x[i, j] - mean[j]) * (x[i, j] - mean[j]) } }
        for j in 0..<d { std[j] = (std[j] / count).squareRoot() }
        var out = Matrix<Double>.zeros(n, d)
        let scale = Double(d).squareRoot()
        for i in 0..<n where present[i] {
            for j in 0..<d {
                out[i, j] = nanToNum((x[i, j] - mean[j]) / std[j]) / scale
            }
        }
        return out
    }

    private static func nanToNum(_ v: Double) -> Double {
        if v.isNaN { return 0 }
        if v == .infinity { return .greatestFiniteMagnitude }
        if v == -.infinity { return -.greatestFiniteMagnitude }
        return v
    }
}
