import Foundation
import PaxosJournal
import PaxosTestSupport
import Testing

/// Opens every committed journal fixture with the library and checks what it reads back: the
/// records the fixture maker wrote (`records.txt`), or the corruption error with file and offset.
@Suite("the library on the journal fixtures")
struct FixtureLibraryTests {
    /// What opening fixture `name` must give.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// Records readable after recovery: a prefix of records.txt (nil when the open must fail).
        var readable: Int?
        /// For a failing open: the segment file and offset the error names.
        var file = ""
        var offset: Int64 = 0

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "none", readable: 13),
        Case(name: "lz4", readable: 96),
        Case(name: "zlib", readable: 21),
        // The torn last batch (8 records) is cut by recovery; the 10 before it survive.
        Case(name: "torn-tail", readable: 10),
        Case(name: "bit-flip", readable: nil, file: "00000000000000000001.seg", offset: 232),
        Case(name: "truncated-header", readable: nil, file: "00000000000000000097.seg", offset: 0),
        Case(name: "segment-gap", readable: nil, file: "00000000000000000193.seg", offset: 24),
    ]

    @Test(arguments: cases)
    func openReadsExpectedRecords(_ test: Case) throws {
        try withTemporaryDirectory { (directory: String) throws in
            let path = try FixtureSupport.copyJournal(test.name, into: directory)
            let expected = try FixtureSupport.text(test.name, "records.txt").split(separator: "\n").map(String.init)
            if let readable = test.readable {
                let journal = try Journal.open(directory: path)
                defer { journal.close() }
                #expect(journal.durableSequence == UInt64(readable))
                var iterator = journal.records(from: 1)
                var read: [String] = []
                while let record = try iterator.next() {
                    #expect(record.sequence == UInt64(read.count + 1))
                    read.append(FixtureSupport.escape(record.bytes))
                }
                #expect(read == Array(expected.prefix(readable)))
            } else {
                #expect {
                    _ = try Journal.open(directory: path)
                } throws: { error in
                    guard let error = error as? JournalError else { return false }
                    return error.code == .corrupt && error.path == path + "/" + test.file && error.offset == test.offset
                }
            }
        }
    }

    @Test(arguments: cases)
    func readOnlyScanAgreesAndChangesNothing(_ test: Case) throws {
        try withTemporaryDirectory { (directory: String) throws in
            let path = try FixtureSupport.copyJournal(test.name, into: directory)
            let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            let before = try names.map { try Data(contentsOf: URL(fileURLWithPath: path + "/" + $0)) }
            let scan = try JournalScanner.scan(directory: path)
            if let readable = test.readable {
                #expect(scan.corruption == nil)
                #expect(scan.lastSequence == UInt64(readable))
                #expect((scan.tornTail != nil) == (test.name == "torn-tail"))
            } else {
                #expect(scan.corruption?.path == path + "/" + test.file)
                #expect(scan.corruption?.offset == test.offset)
            }
            let after = try names.map { try Data(contentsOf: URL(fileURLWithPath: path + "/" + $0)) }
            #expect(after == before)
        }
    }
}
