/// XXH64, the 64-bit xxHash of Yann Collet (the algorithm of `XXH64()` in libxxhash, seed 0),
/// fed in pieces of any size: the content hash of input files, run fingerprints and
/// checkpoints.
///
/// It detects accidental change — an edited or regenerated features file, a flipped byte —
/// with a false-match chance of 2⁻⁶⁴ per comparison; it is not a defence against someone
/// forging a file to match a hash. It reads a few GB per second, so hashing a whole
/// benchmark's features costs little beside parsing them.
public struct ContentHash: Sendable {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    /// The four lane accumulators of the 32-byte stripes.
    private var v1: UInt64 = 0x9E37_79B1_85EB_CA87 &+ 0xC2B2_AE3D_27D4_EB4F
    private var v2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private var v3: UInt64 = 0
    private var v4: UInt64 = 0 &- 0x9E37_79B1_85EB_CA87
    /// Bytes of an unfinished stripe (fewer than 32).
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    public init() {}

    /// The hash of `bytes` in one call.
    public static func of<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash = ContentHash()
        hash.update(Array(bytes))
        return hash.value
    }

    /// The hash as 16 lower-case hex digits, the form written into outputs.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Adds bytes: whole stripes go straight into the lanes, a remainder waits in `pending`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            let take = min(32 - pending.count, bytes.count)
            pending += bytes[0..<take]
            offset = take
            guard pending.count == 32 else { return }
            pending.withUnsafeBytes { stripe($0, at: 0) }
            pending.removeAll(keepingCapacity: true)
        }
        while bytes.count - offset >= 32 {
            stripe(bytes, at: offset)
            offset += 32
        }
        pending += bytes[offset...]
    }

    private mutating func stripe(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        v1 = Self.round(v1, Self.word(bytes, offset))
        v2 = Self.round(v2, Self.word(bytes, offset + 8))
        v3 = Self.round(v3, Self.word(bytes, offset + 16))
        v4 = Self.round(v4, Self.word(bytes, offset + 24))
    }

    /// The hash of everything added so far.
    public var value: UInt64 {
        var h: UInt64
        if length >= 32 {
            h = Self.rotate(v1, 1) &+ Self.rotate(v2, 7) &+ Self.rotate(v3, 12) &+ Self.rotate(v4, 18)
            for v in [v1, v2, v3, v4] {
                h = (h ^ Self.round(0, v)) &* Self.p1 &+ Self.p4
            }
        } else {
            h = Self.p5
        }
        h &+= length
        pending.withUnsafeBytes { tail in
            var offset = 0
            while tail.count - offset >= 8 {
                h = Self.rotate(h ^ Self.round(0, Self.word(tail, offset)), 27) &* Self.p1 &+ Self.p4
                offset += 8
            }
            if tail.count - offset >= 4 {
                let half = UInt64(UInt32(littleEndian: tail.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                h = Self.rotate(h ^ (half &* Self.p1), 23) &* Self.p2 &+ Self.p3
                offset += 4
            }
            while offset < tail.count {
                h = Self.rotate(h ^ (UInt64(tail[offset]) &* Self.p5), 11) &* Self.p1
                offset += 1
            }
        }
        h ^= h >> 33
        h &*= Self.p2
        h ^= h >> 29
        h &*= Self.p3
        h ^= h >> 32
        return h
    }

    private static func word(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        rotate(accumulator &+ input &* p2, 31) &* p1
    }

    private static func rotate(_ x: UInt64, _ bits: UInt64) -> UInt64 {
        (x << bits) | (x >> (64 - bits))
    }
}
