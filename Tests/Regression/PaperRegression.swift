import CLOTCore
import Foundation
@testable import CLOTCommands

/// The paper regression's checker: each measured mean of a reproduction's tables against the
/// paper's number in the same cell, within a band from the measured seed spread and the
/// paper's rounding.
///
/// The band, per metric (MoF, F1 and mIoU alike, in percent points):
///
///     band = 3 · s · √(2 / n) + 0.05
///
/// - s is the measured sample standard deviation over the n seeds (the tables' `std`), the
///   only spread we know: the paper prints means only. The paper's mean is taken to be a mean
///   over n runs of a method with that same spread, so the difference of the two means has a
///   standard deviation of s · √(2/n); three of those leave a false alarm about once in 370
///   cells if the implementations agree (normal approximation). F1's own sampling (15
///   samples, 50 repeats, seeded per run) is inside s.
/// - 0.05 is half the last printed digit: the paper rounds to 0.1.
///
/// Rows marked as a subset (fewer activities or videos than the benchmark) are listed but not
/// checked: their paper number is for the full benchmark.
struct PaperRegression {
    /// One cell of the side-by-side table.
    struct Comparison: Equatable {
        var dataset: String
        var variant: String
        var level: String
        var metric: String
        var measured: Double
        var std: Double
        var seeds: Int
        var paper: Double
        var subset: Bool

        var band: Double { PaperRegression.band(std: std, seeds: seeds) }
        var difference: Double { measured - paper }
        var passes: Bool { subset || Swift.abs(difference) <= band }
    }

    static func band(std: Double, seeds: Int) -> Double {
        3 * std * (2 / Double(max(seeds, 1))).squareRoot() + 0.05
    }

    /// The cells of `results.json`'s tables that have a paper number, in a fixed order.
    static func comparisons(resultsJSON: Data) throws -> [Comparison] {
        struct Cell: Decodable { var mean: Double; var std: Double; var seeds: Int; var paper: Double? }
        struct Row: Decodable { var dataset: String; var variant: String; var subset: Bool; var cells: [String: Cell] }
        struct Results: Decodable { var levels: [String: [Row]] }
        let results = try JSONDecoder().decode(Results.self, from: resultsJSON)
        var out: [Comparison] = []
        for level in results.levels.keys.sorted() {
            for row in results.levels[level]! {
                for metric in ["mof", "f1", "miou"] {
                    guard let cell = row.cells[metric], let paper = cell.paper else { continue }
                    out.append(Comparison(dataset: row.dataset, variant: row.variant, level: level, metric: metric,
                                          measured: cell.mean, std: cell.std, seeds: cell.seeds, paper: paper, subset: row.subset))
                }
            }
        }
        return out
    }

    /// The side-by-side table (markdown), one line per cell.
    static func markdown(_ comparisons: [Comparison]) -> String {
        var lines = ["| level | dataset | method | metric | measured (mean ± std, seeds) | paper | Δ | band | verdict |",
                     "|---|---|---|---|---|---|---|---|---|"]
        for c in comparisons {
            let verdict = c.subset ? "not checked (subset)" : c.passes ? "within" : "OUTSIDE"
            lines.append("| \(c.level) | \(c.dataset) | \(c.variant) | \(c.metric) | "
                         + String(format: "%.1f ± %.1f (%d)", c.measured, c.std, c.seeds)
                         + String(format: " | %.1f | %+.1f | ±%.2f | ", c.paper, c.difference, c.band) + verdict + " |")
        }
        return lines.joined(separator: "\n")
    }
}
