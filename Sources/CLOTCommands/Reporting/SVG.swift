import CLOTCore

/// Small SVG builders for the reports: inline, self-contained, valid XML.
enum SVG {
    /// A qualitative palette (Tableau 20), indexed by GT class position.
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                          "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
                          "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"]
    /// Colours for predicted clusters matched to no GT class.
    static let unmatched = ["#333333", "#555555", "#777777", "#999999", "#bbbbbb"]

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func number(_ x: Double) -> String { String(format: "%.2f", x) }

    /// Runs of equal labels as (start, length, label).
    static func runs(_ labels: [Int]) -> [(start: Int, length: Int, label: Int)] {
        var out: [(Int, Int, Int)] = []
        var start = 0
        for t in 1...labels.count where t == labels.count || labels[t] != labels[start] {
            out.append((start, t - start, labels[start]))
            start = t
        }
        return out
    }

    /// Two coloured bars, ground truth above prediction, as in the papers' qualitative figures.
    /// `colour` maps a GT class id (ground truth row) or a predicted id (prediction row) to a colour.
    static func segmentationBars(title: String, groundTruth: [Int], predicted: [Int],
                                 gtColour: (Int) -> String, predictedColour: (Int) -> String, width: Double = 800) -> String {
        let n = max(groundTruth.count, 1)
        let scale = width / Double(n)
        func bar(_ labels: [Int], y: Int, colour: (Int) -> String) -> String {
            runs(labels).map { r in
                "<rect x=\"\(number(Double(r.start) * scale))\" y=\"\(y)\" width=\"\(number(Double(r.length) * scale))\" height=\"22\" fill=\"\(colour(r.label))\"/>"
            }.joined()
        }
        return """
        <svg class="segmentation" xmlns="http://www.w3.org/2000/svg" width="\(Int(width) + 90)" height="64" viewBox="0 0 \(Int(width) + 90) 64">\
        <title>\(escape(title))</title>\
        <text x="0" y="16" font-size="11">GT</text><text x="0" y="44" font-size="11">pred</text>\
        <g transform="translate(40,2)">\(bar(groundTruth, y: 0, colour: gtColour))\(bar(predicted, y: 30, colour: predictedColour))</g></svg>
        """
    }

    /// A line chart of values against their 1-based index.
    static func lineChart(title: String, values: [Double], width: Double = 520, height: Double = 220) -> String {
        guard !values.isEmpty else { return "<p>(no training epochs)</p>" }
        let low = values.min()!, high = values.max()!
        let span = max(high - low, 1e-12)
        let left = 50.0, bottom = height - 30, plotWidth = width - 70, plotHeight = height - 50
        let points = values.enumerated().map { i, v in
            let x = left + (values.count == 1 ? plotWidth / 2 : Double(i) / Double(values.count - 1) * plotWidth)
            let y = bottom - (v - low) / span * plotHeight
            return "\(number(x)),\(number(y))"
        }.joined(separator: " ")
        return """
        <svg class="chart" xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))">\
        <title>\(escape(title))</title>\
        <line x1="\(left)" y1="\(bottom)" x2="\(left + plotWidth)" y2="\(bottom)" stroke="#000"/>\
        <line x1="\(left)" y1="\(bottom)" x2="\(left)" y2="\(bottom - plotHeight)" stroke="#000"/>\
        <text x="\(left)" y="\(bottom + 18)" font-size="11">epoch 1</text>\
        <text x="\(left + plotWidth - 50)" y="\(bottom + 18)" font-size="11">epoch \(values.count)</text>\
        <text x="2" y="\(bottom - plotHeight + 4)" font-size="11">\(String(format: "%.3f", high))</text>\
        <text x="2" y="\(bottom)" font-size="11">\(String(format: "%.3f", low))</text>\
        <polyline fill="none" stroke="#1f77b4" stroke-width="2" points="\(points)"/></svg>
        """
    }
}

extension SVG {
    /// The plan as a K × N heat map (darker = more mass; each frame's column scaled to its
    /// largest entry), with the decoded segmentation as a coloured bar under it.
    static func planHeatMap(_ plan: Matrix<Double>, labels: [Int], width: Double = 900, rowHeight: Double = 14) -> String {
        let n = plan.rows, k = plan.columns
        let bins = min(n, Int(width))
        let cell = width / Double(bins)
        var rects: [String] = []
        for b in 0..<bins {
            let lo = b * n / bins, hi = max(lo + 1, (b + 1) * n / bins)
            for j in 0..<k {
                var mass = 0.0, top = 0.0
                for t in lo..<hi {
                    let rowMax = (0..<k).reduce(0.0) { max($0, plan[t, $1]) }
                    mass += rowMax > 0 ? plan[t, j] / rowMax : 0
                    top += 1
                }
                let shade = Int(255 * (1 - min(1, max(0, mass / top))))
                rects.append("<rect x=\"\(number(Double(b) * cell))\" y=\"\(number(Double(j) * rowHeight))\" width=\"\(number(cell + 0.5))\" height=\"\(number(rowHeight))\" fill=\"rgb(\(shade),\(shade),255)\"/>")
            }
        }
        let barTop = Double(k) * rowHeight + 8
        let bar = runs(labels).map { r in
            "<rect x=\"\(number(Double(r.start) * width / Double(n)))\" y=\"\(number(barTop))\" width=\"\(number(Double(r.length) * width / Double(n)))\" height=\"18\" fill=\"\(palette[r.label % palette.count])\"/>"
        }.joined()
        let height = Int(barTop + 50)
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width) + 20)" height="\(height)" viewBox="-10 -10 \(Int(width) + 20) \(height)">\
        <title>ASOT plan (\(k) clusters × \(n) frames) and segmentation</title>\(rects.joined())\(bar)\
        <text x="0" y="\(number(barTop + 32))" font-size="11">frames 0–\(n - 1); rows: clusters 0–\(k - 1); bar: argmax labels</text></svg>
        """
    }
}
