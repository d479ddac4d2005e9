import CLOTCore
import Testing

/// `ContentHash` is XXH64: the same 64 bits as libxxhash's `XXH64(…, seed 0)` on inputs that
/// reach every branch (empty, a tail of bytes, a 4-byte and 8-byte tail, many 32-byte stripes),
/// whether fed at once or in pieces of any size.
@Suite("content hash (XXH64)")
struct ContentHashTests {
    /// The 771-byte input: bytes 0…255 three times, then "xyz".
    static let long: [UInt8] = (0..<3).flatMap { _ in (0...255).map(UInt8.init) } + Array("xyz".utf8)

    /// From libxxhash 0.8.1 (scripts/make_xxh64_golden.py).
    @Test("equals libxxhash on four inputs")
    func knownValues() {
        #expect(ContentHash.of([UInt8]()) == 0xEF46_DB37_51D8_E999)
        #expect(ContentHash.of(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        #expect(ContentHash.of(Array("clot".utf8)) == 0xA010_A864_83E0_EB9D)
        #expect(ContentHash.of(Self.long) == 0xE921_A1B4_5BD7_79F8)
        #expect(ContentHash.hex(0xA010_A864_83E0_EB9D) == "a010a86483e0eb9d")
        #expect(ContentHash.hex(0x1F) == "000000000000001f")
    }

    @Test("pieces of any size give the one-call hash", arguments: [1, 3, 8, 31, 32, 33, 100, 770])
    func streaming(piece: Int) {
        var hash = ContentHash()
        var offset = 0
        while offset < Self.long.count {
            let end = min(offset + piece, Self.long.count)
            hash.update(Array(Self.long[offset..<end]))
            offset = end
        }
        #expect(hash.value == ContentHash.of(Self.long))
    }

    @Test("one changed byte changes the hash")
    func sensitivity() {
        let base = ContentHash.of(Self.long)
        for index in stride(from: 0, to: Self.long.count, by: 37) {
            var changed = Self.long
            changed[index] ^= 1
            #expect(ContentHash.of(changed) != base, "byte \(index)")
        }
    }
}
