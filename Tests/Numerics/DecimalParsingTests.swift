import Foundation
import Testing
import TestSupport
@testable import CLOTCore

/// The features loader's number parser: every field must become the Double a correctly
/// rounded parse gives. Checked against glibc's `strtod` at test time on random strings of
/// every shape, and against the answers of `strtod` and `numpy.loadtxt` recorded for a hostile
/// corpus (fixtures/golden/decimal_parsing.json, from scripts/make_decimal_golden.py).
/// Equality is of bit patterns throughout (so −0 ≠ +0): no tolerance, the parse is exact.
@Suite struct DecimalParsingTests {
    // MARK: The table Eisel–Lemire multiplies by

    @Test("powers of ten: s · 2^e ≤ 10^q < (s + 1) · 2^e with 2^127 ≤ s < 2^128 and e = ⌊q log₂10⌋ − 127, for q = −348 … 347")
    func powersOfTen() {
        #expect(PowersOfTen.significands.count == 696)
        for q in PowersOfTen.smallestExponent...PowersOfTen.largestExponent {
            let entry = PowersOfTen.significands[q - PowersOfTen.smallestExponent]
            #expect(entry.high >> 63 == 1, "10^\(q): top bit")
            let s = BigUInt(high: entry.high, low: entry.low)
            let next = s + BigUInt(1)
            let e = ((217706 * q) >> 16) - 127     // the exponent EiselLemire assumes
            if q >= 0 {
                let power = BigUInt.power(10, q)
                if e >= 0 {
                    #expect(s.shiftedLeft(e) <= power && power < next.shiftedLeft(e), "10^\(q)")
                } else {
                    #expect(s <= power.shiftedLeft(-e) && power.shiftedLeft(-e) < next, "10^\(q)")
                }
            } else {
                // 10^q = 1 / 10^n: s · 10^n ≤ 2^−e < (s + 1) · 10^n.
                let power = BigUInt.power(10, -q)
                let two = BigUInt(1).shiftedLeft(-e)
                #expect(s * power <= two && two < next * power, "10^\(q)")
            }
        }
    }

    // MARK: Recorded answers of strtod and numpy.loadtxt

    struct Golden: Decodable {
        var cases: [[String]]
    }

    static func golden() throws -> [(text: String, strtod: UInt64, numpy: UInt64)] {
        try loadFixture("golden/decimal_parsing.json", as: Golden.self).cases.map {
            ($0[0], UInt64($0[1], radix: 16)!, UInt64($0[2], radix: 16)!)
        }
    }

    @Test("the hostile corpus: every string gives strtod's and numpy.loadtxt's bits")
    func goldenCorpus() throws {
        let cases = try Self.golden()
        #expect(cases.count > 2500)
        var mismatches: [String] = []
        for c in cases {
            let bits = DecimalParsing.parse(c.text)?.bitPattern
            if bits != c.strtod || bits != c.numpy { mismatches.append(c.text) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(5))")
    }

    @Test("the hostile corpus as a features file: numpy.loadtxt's matrix; each overflow rejected as not finite")
    func goldenCorpusAsFile() throws {
        let folder = temporaryDirectory()
        defer { removeDirectory(folder) }
        let cases = try Self.golden()
        let finite = cases.filter { Double(bitPattern: $0.numpy).isFinite }
        let columns = 7
        let used = finite.prefix(finite.count / columns * columns)
        var text = ""
        for (i, c) in used.enumerated() {
            text += c.text + (i % columns == columns - 1 ? (i % 2 == 0 ? "\n" : "\r\n") : (i % 3 == 0 ? "\t" : " "))
        }
        try writeText(text, to: folder + "/corpus.txt")
        let m = try Video.readFeatures(folder + "/corpus.txt")
        #expect(m.rows == used.count / columns && m.columns == columns)
        #expect(m.elements.map(\.bitPattern) == used.map(\.numpy))

        let overflowing = cases.filter { !Double(bitPattern: $0.numpy).isFinite }
        #expect(overflowing.count >= 4)
        for c in overflowing {
            try writeText("0.5 \(c.text)\n", to: folder + "/inf.txt")
            expectInputError(mentioning: [folder + "/inf.txt:1", "field 2 is \(c.text)", "finite"]) {
                try Video.readFeatures(folder + "/inf.txt")
            }
        }
    }

    // MARK: strtod at test time

    /// glibc `strtod` under the rule the loader applies to a field (that of `Double(_:)`): the
    /// whole string read, no leading white space.
    static func strtodWhole(_ text: String) -> Double? {
        text.withCString { chars -> Double? in
            guard let first = chars.pointee as CChar?, ![0, 9, 10, 11, 12, 13, 32].contains(first) else { return nil }
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(chars, &end)
            return end?.pointee == 0 ? value : nil
        }
    }

    /// Random strings of every shape the corpus has, drawn from `g`.
    static func randomNumberText(_ g: inout MersenneTwister) -> String {
        func digits(_ n: Int) -> String { String((0..<n).map { _ in Character(String(g.integer(in: 0..<10))) }) }
        func anyFiniteDouble() -> Double {
            while true {
                let x = Double(bitPattern: g.next())
                if x.isFinite { return x }
            }
        }
        switch g.integer(in: 0..<8) {
        case 0:     // the official format, any double
            return String(format: "%.18e", anyFiniteDouble())
        case 1:     // feature-like values in the official format and in others people write
            let format = ["%.18e", "%.18e", "%.17g", "%.6f", "%g", "%.8f"][g.integer(in: 0..<6)]
            return String(format: format, g.gaussian() * pow(10, Double(g.integer(in: -6...3))))
        case 2:     // shortest round trip, 17 digits, 25 digits (past the fast paths)
            let x = anyFiniteDouble()
            return [x.description, String(format: "%.16e", x), String(format: "%.24e", x)][g.integer(in: 0..<3)]
        case 3:     // subnormals
            let x = Double(bitPattern: g.next() >> 12)
            return String(format: ["%.18e", "%.5e", "%.30e"][g.integer(in: 0..<3)], x)
        case 4:     // exact halfway points with at most 19 digits: (2m + 1) · 2^k and (2m + 1) · 5^j · 10^−j
            let m = UInt64(g.integer(in: (1 << 52)..<(1 << 53)))
            if g.integer(in: 0..<2) == 0 {
                let k = g.integer(in: 0...9)
                let half = (2 * m + 1) << UInt64(k)
                let zeros = max(0, 19 - String(half).count)
                let z = g.integer(in: 0...zeros)
                return "\(half)" + String(repeating: "0", count: z) + (z > 0 ? "e-\(z)" : "")
            }
            let j = g.integer(in: 1...3)
            var five: UInt64 = 1
            for _ in 0..<j { five *= 5 }
            return "\((2 * m + 1) * five)e-\(j)"
        default:    // free decimal spellings: signs, leading zeros, points, exponents far out
            let sign = ["", "-", "+"][g.integer(in: 0..<3)]
            var mantissa = digits(g.integer(in: 0...14))
            if g.integer(in: 0..<3) > 0 { mantissa += "." + digits(g.integer(in: 0...14)) }
            if !mantissa.contains(where: \.isNumber) { mantissa += digits(1) }
            var exponent = ""
            if g.integer(in: 0..<2) == 0 {
                let value = [g.integer(in: 0...30), g.integer(in: 280...360), g.integer(in: 0...99_999)][g.integer(in: 0..<3)]
                exponent = ["e", "E"][g.integer(in: 0..<2)] + ["", "-", "+"][g.integer(in: 0..<3)]
                    + String(repeating: "0", count: g.integer(in: 0...2)) + String(value)
            }
            return sign + mantissa + exponent
        }
    }

    @Test("200 000 random strings of every shape: the same bits as strtod")
    func randomStringsAgainstStrtod() {
        var g = MersenneTwister(seed: 16)
        var mismatches: [String] = []
        var accepted = 0
        for _ in 0..<200_000 {
            let text = Self.randomNumberText(&g)
            let expected = Self.strtodWhole(text)
            if expected != nil { accepted += 1 }
            if DecimalParsing.parse(text)?.bitPattern != expected?.bitPattern { mismatches.append(text) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(5))")
        #expect(accepted > 190_000, "the generator should make numbers: \(accepted)")
    }

    @Test("the fast paths decide nearly every field of the official format, and each decision is strtod's")
    func fastPathsDecide() {
        var g = MersenneTwister(seed: 1712)
        var decided = 0, wrong = 0
        let count = 100_000
        for _ in 0..<count {
            let text = String(format: "%.18e", g.gaussian() * pow(10, Double(g.integer(in: -6...3))))
            let bytes = Array(text.utf8)
            let fast = bytes.withUnsafeBufferPointer { b -> Double? in
                var p = b.baseAddress!
                let value = DecimalParsing.parseFast(&p, end: b.baseAddress! + b.count, powers: PowersOfTen.significands)
                return p == b.baseAddress! + b.count ? value : nil
            }
            guard let fast else { continue }
            decided += 1
            if fast.bitPattern != Self.strtodWhole(text)?.bitPattern { wrong += 1 }
        }
        #expect(wrong == 0)
        // Eisel–Lemire declines about one product in a few thousand near a rounding boundary.
        #expect(decided >= count * 999 / 1000, "decided \(decided) of \(count)")
    }

    @Test("eight digits at once: the value of every run of eight digits, nil when any byte is not a digit")
    func eightDigits() {
        var g = MersenneTwister(seed: 8)
        for _ in 0..<2000 {
            let value = g.integer(in: 0..<100_000_000)
            let bytes = Array(String(format: "%08d", value).utf8)
            #expect(bytes.withUnsafeBufferPointer { DecimalParsing.eightDigits($0.baseAddress!) } == UInt64(value))
            // Any other byte anywhere spoils the run.
            var spoiled = bytes
            let position = g.integer(in: 0..<8)
            for byte in UInt8.min...UInt8.max where !(0x30...0x39).contains(byte) {
                spoiled[position] = byte
                #expect(spoiled.withUnsafeBufferPointer { DecimalParsing.eightDigits($0.baseAddress!) } == nil)
            }
        }
    }

    @Test("the savetxt shape and its near misses: the same bits as strtod", arguments: [
        "-1.234567890123456789e-01", "1.234567890123456789E+01", "9.999999999999999999e+307", "1.000000000000000000e-308",
        "4.940656458412465442e-324", "1.797693134862315708e+308", "1.797693134862315809e+308", "0.000000000000000000e+00",
        "-0.000000000000000000e+00", "1.234567890123456789e+100", "1.234567890123456789e-1000", "1.234567890123456789e1",
        "1.23456789012345678e+01", "12.34567890123456789e+01", "1.2345678901234567890e+01", "1.234567890123456789e+01x",
        "1.234567890123456789e+0", "+1.234567890123456789e+01", "1,234567890123456789e+01", "1.2345678a0123456789e+01",
    ])
    func savetxtShape(text: String) {
        #expect(DecimalParsing.parse(text)?.bitPattern == Self.strtodWhole(text)?.bitPattern)
    }

    @Test("spellings and corners", arguments: [
        ("-0", (-0.0).bitPattern), ("+.5", 0.5.bitPattern), ("5.", 5.0.bitPattern), ("-5.", (-5.0).bitPattern),
        ("1e-320", 0x7E8), ("4.9e-324", 1), ("2.4703282292062327e-324", 0), ("2.4703282292062328e-324", 1),
        ("2.2250738585072011e-308", 0x000F_FFFF_FFFF_FFFF), ("2.2250738585072014e-308", 0x0010_0000_0000_0000),
        ("1.7976931348623157e308", 0x7FEF_FFFF_FFFF_FFFF), ("1.7976931348623159e308", Double.infinity.bitPattern),
        ("-1e-400", (-0.0).bitPattern), ("0e99999999999", 0), ("1E+0005", 100000.0.bitPattern),
        ("9007199254740993", 0x4340_0000_0000_0000), ("9007199254740995", 0x4340_0000_0000_0002),
        ("0x1p3", 8.0.bitPattern), ("INF", Double.infinity.bitPattern),
    ] as [(String, UInt64)])
    func corners(text: String, bits: UInt64) {
        #expect(DecimalParsing.parse(text)?.bitPattern == bits)
        #expect(Self.strtodWhole(text)?.bitPattern == bits)
    }

    @Test("leading zeros: not significant, however many; exponents far out set against them",
          arguments: [1, 18, 19, 25, 400, 999, 1000, 1001, 2000, 150_000, 2_000_000])
    func leadingZeros(count: Int) {
        let zeros = String(repeating: "0", count: count)
        for text in ["0." + zeros + "1234567890123456789", zeros + "1.5", "-0." + zeros + "1e\(count + 1)",
                     "0." + zeros + "1e+\(count + 100_001)", "0." + zeros + "7e-\(99_000 - count)", "0." + zeros] {
            #expect(DecimalParsing.parse(text)?.bitPattern == Self.strtodWhole(text)?.bitPattern, "\(text.prefix(40))…")
        }
        #expect(DecimalParsing.parse("-0." + zeros + "1e\(count + 1)") == -1)
    }

    @Test("not numbers", arguments: ["", ".", "-", "+", "e5", "1e", "1e+", "--1", "1..2", "1e5.5", " 1", "1 ", "1_0", "1d5", "0x", "١"])
    func notNumbers(text: String) {
        #expect(DecimalParsing.parse(text) == nil)
    }
}

/// A non-negative integer of any size (little-endian 64-bit words), for checking the table
/// of powers of ten by multiplication alone, independently of how it was computed.
struct BigUInt: Comparable {
    var words: [UInt64]

    init(_ value: UInt64) { words = [value]; normalise() }
    init(high: UInt64, low: UInt64) { words = [low, high]; normalise() }
    private init(words: [UInt64]) { self.words = words; normalise() }

    private mutating func normalise() {
        while words.count > 1 && words.last == 0 { words.removeLast() }
    }

    static func power(_ base: UInt64, _ exponent: Int) -> BigUInt {
        var result = BigUInt(1)
        for _ in 0..<exponent { result = result * BigUInt(base) }
        return result
    }

    static func + (a: BigUInt, b: BigUInt) -> BigUInt {
        var out = [UInt64](repeating: 0, count: max(a.words.count, b.words.count) + 1)
        var carry: UInt64 = 0
        for i in 0..<(out.count - 1) {
            let (s1, o1) = (i < a.words.count ? a.words[i] : 0).addingReportingOverflow(i < b.words.count ? b.words[i] : 0)
            let (s2, o2) = s1.addingReportingOverflow(carry)
            out[i] = s2
            carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        out[out.count - 1] = carry
        return BigUInt(words: out)
    }

    static func * (a: BigUInt, b: BigUInt) -> BigUInt {
        var out = [UInt64](repeating: 0, count: a.words.count + b.words.count)
        for i in a.words.indices {
            var carry: UInt64 = 0
            for j in b.words.indices {
                let product = a.words[i].multipliedFullWidth(by: b.words[j])
                let (s1, o1) = out[i + j].addingReportingOverflow(product.low)
                let (s2, o2) = s1.addingReportingOverflow(carry)
                out[i + j] = s2
                carry = product.high + (o1 ? 1 : 0) + (o2 ? 1 : 0)
            }
            out[i + b.words.count] = carry
        }
        return BigUInt(words: out)
    }

    func shiftedLeft(_ bits: Int) -> BigUInt {
        let wordShift = bits / 64, bitShift = UInt64(bits % 64)
        var out = [UInt64](repeating: 0, count: words.count + wordShift + 1)
        for (i, w) in words.enumerated() {
            out[i + wordShift] |= w << bitShift
            if bitShift > 0 { out[i + wordShift + 1] |= w >> (64 - bitShift) }
        }
        return BigUInt(words: out)
    }

    static func < (a: BigUInt, b: BigUInt) -> Bool {
        if a.words.count != b.words.count { return a.words.count < b.words.count }
        for i in a.words.indices.reversed() where a.words[i] != b.words[i] {
            return a.words[i] < b.words[i]
        }
        return false
    }
}
