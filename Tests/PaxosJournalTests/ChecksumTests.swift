import PaxosTestSupport
import Testing

@testable import PaxosJournal

/// The frame checksum must stay exactly zlib's CRC-32 (every journal ever written depends on it),
/// whatever computes it: checked against a bit-at-a-time reference written from the definition.
@Suite struct ChecksumTests {
    /// CRC-32 from its definition: reflected polynomial 0xEDB88320, initial and final XOR ~0.
    static func reference(_ bytes: some Sequence<UInt8>, continuing previous: UInt32 = 0) -> UInt32 {
        var crc = ~previous
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    @Test func knownVectors() {
        #expect(Checksum.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(Checksum.crc32([UInt8]()) == 0)
        #expect(Checksum.crc32([0]) == 0xD202_EF8D)
    }

    /// Every length up to 300 and a few large ones, at every start offset modulo 16 (the fast
    /// paths work on aligned blocks; their edges are where mistakes hide), and continued crcs.
    @Test func matchesTheDefinitionAtEveryLengthAndAlignment() {
        var generator = SeededGenerator(seed: 20_261_130)
        let data = (0..<(70_000 + 16)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for length in Array(0...300) + [4095, 4096, 4097, 65_536, 70_000] {
            for offset in 0..<16 where length <= 300 || offset % 5 == 0 {
                let slice = data[offset..<(offset + length)]
                #expect(Checksum.crc32(slice) == Self.reference(slice), "length \(length) offset \(offset)")
            }
        }
        let split = 1_234
        let whole = data[0..<20_000]
        #expect(
            Checksum.crc32(whole[split...], continuing: Checksum.crc32(whole[..<split])) == Self.reference(whole))
    }
}
