import PaxosCompression
import PaxosTestSupport
import Testing

/// Smoke tests that go through liblz4 and zlib for real, so a broken link or header shows at once.
@Suite struct BlockCompressorTests {
    static let text = Array(String(repeating: "2026-11-30 15:48:26 INFO appended entry to the log\n", count: 200).utf8)

    @Test(arguments: [Codec.lz4, .zlib])
    func compressibleTextRoundTrips(codec: Codec) throws {
        let compressed = try #require(try BlockCompressor.compress(Self.text, codec: codec))
        #expect(compressed.count * 4 < Self.text.count)
        let restored = try BlockCompressor.decompress(compressed, codec: codec, decompressedCount: Self.text.count)
        #expect(restored == Self.text)
    }

    @Test(arguments: [Codec.none, .lz4, .zlib])
    func incompressibleDataIsLeftRaw(codec: Codec) throws {
        var generator = SeededGenerator(seed: 7)
        let noise = (0..<4096).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        #expect(try BlockCompressor.compress(noise, codec: codec) == nil)
        #expect(try BlockCompressor.compress([], codec: codec) == nil)
    }

    @Test(arguments: [Codec.lz4, .zlib])
    func damagedBlockIsAnErrorNotGarbage(codec: Codec) throws {
        var compressed = try #require(try BlockCompressor.compress(Self.text, codec: codec))
        compressed.removeLast(compressed.count / 2)
        #expect(throws: CompressionError.self) {
            _ = try BlockCompressor.decompress(compressed, codec: codec, decompressedCount: Self.text.count)
        }
    }

    @Test(arguments: [Codec.lz4, .zlib])
    func wrongExpectedSizeIsAnError(codec: Codec) throws {
        let compressed = try #require(try BlockCompressor.compress(Self.text, codec: codec))
        #expect(throws: CompressionError.self) {
            _ = try BlockCompressor.decompress(compressed, codec: codec, decompressedCount: Self.text.count + 1)
        }
    }

    @Test func codecNamesParse() {
        #expect(Codec(name: "lz4") == .lz4)
        #expect(Codec(name: "zlib") == .zlib)
        #expect(Codec(name: "none") == Codec.none)
        #expect(Codec(name: "gzip") == nil)
    }
}
