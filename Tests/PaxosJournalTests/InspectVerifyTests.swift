import Foundation
import PaxosTestSupport
import Testing

@testable import PaxosJournal

/// What `--verify` adds over the checksum check: a frame whose crc32 matches but whose payload
/// does not decompress (a bug in a writer, not a torn write) passes plain `inspect` and fails
/// `inspect --verify`, naming the file and offset.
@Suite("inspect --verify")
struct InspectVerifyTests {
    /// A one-frame lz4 journal whose payload is replaced by garbage under a correct checksum.
    private func makeUndecodableJournal(in directory: String) async throws -> String {
        let journal = try Journal.open(directory: directory, options: JournalOptions(codec: .lz4, segmentSize: 4096))
        let line = Array("2026-01-01T00:00:00.000Z INFO node=1 append committed request=1".utf8)
        _ = try await journal.append(contentsOf: Array(repeating: line, count: 8))
        journal.close()
        let path = directory + "/" + JournalFormat.segmentFileName(baseSequence: 1)
        var bytes = try JournalTestSupport.bytes(of: path)
        let offset = JournalFormat.segmentHeaderSize
        let header = try FrameHeader.parse(bytes[offset..<(offset + JournalFormat.frameHeaderSize)]).get()
        #expect(header.codec == .lz4)
        let payloadStart = offset + JournalFormat.frameHeaderSize
        let payloadRange = payloadStart..<(payloadStart + Int(header.storedLength))
        for index in payloadRange { bytes[index] = 0xFF }
        let checksum = bytes[payloadRange].withUnsafeBytes { header.computeChecksum(storedPayload: $0) }
        bytes.replaceSubrange(offset..<payloadStart, with: header.encoded(checksum: checksum))
        try JournalTestSupport.write(bytes, to: path)
        return directory
    }

    @Test func undecodablePayloadFailsOnlyWithVerify() async throws {
        try await withTemporaryDirectory { (directory: String) async throws in
            let journal = try await makeUndecodableJournal(in: directory)
            let plain = try await PaxosBinary.run(["inspect", journal])
            #expect(plain.status == 0)
            #expect(plain.stdout.contains("status: ok"))

            let verified = try await PaxosBinary.run(["inspect", "--verify", journal])
            #expect(verified.status == 1)
            #expect(verified.stderr.hasPrefix("paxoslog: error: 00000000000000000001.seg at offset 64: cannot decode"))
            #expect(verified.stdout.contains("status: damaged"))

            let records = try await PaxosBinary.run(["inspect", "--records", "--json", journal])
            #expect(records.status == 1)
            let lines = records.stdoutLines
            #expect(lines.count == 9)  // 8 records, then the summary
            #expect(lines.dropLast().allSatisfy { $0.contains(#""payload":"undecodable""#) })
            #expect(lines.last?.contains(#""status":"damaged""#) == true)
        }
    }
}
