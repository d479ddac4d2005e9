import ArgumentParser
import CLOTCore

/// Parsing and range checks of command-line values that several commands share, each failure
/// a one-line message naming the flag and the valid range.
enum ArgumentChecks {
    /// The most epochs a run may ask for (a bound that keeps every epoch count and step index
    /// far from integer overflow; a run this long would take weeks).
    static let maximumEpochs = 10_000_000

    /// A seed: an integer from 0 to 4294967295 (the generator's seed is 32 bits, as NumPy's).
    static func seed(_ text: String) throws -> UInt32 {
        guard let value = UInt32(text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("a seed is an integer from 0 to \(UInt32.max)")
        }
        return value
    }

    /// Checks an epoch count given on the command line (nil: the dataset's default).
    static func epochs(_ value: Int?, flag: String = "--epochs") throws {
        guard let value else { return }
        guard (0...maximumEpochs).contains(value) else {
            throw InputError(flag, "must lie in 0...\(maximumEpochs), got \(value)")
        }
    }
}
