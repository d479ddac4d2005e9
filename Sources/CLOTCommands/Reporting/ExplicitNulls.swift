extension KeyedEncodingContainer {
    /// Each value under its key, in the order given, a nil as an explicit JSON `null`: what the
    /// automatic `Encodable` conformance would leave out, and what readers of `clot evaluate
    /// --json` and `results.json` find in place of a missing value (an `exclude` not given, a cell
    /// with no published number).
    mutating func encodeWithNulls(_ entries: KeyValuePairs<Key, (any Encodable)?>) throws {
        for (key, value) in entries {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
    }
}
