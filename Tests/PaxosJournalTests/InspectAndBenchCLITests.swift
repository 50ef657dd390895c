import Foundation
import PaxosTestSupport
import Testing

/// The parts of `inspect` and `bench fsync` the fixture tests do not pin down: help text, usage
/// errors, and that a short benchmark runs, reports every step and cleans up after itself.
@Suite("inspect and bench command line")
struct InspectAndBenchCLITests {
    @Test func inspectHelpDocumentsTheFormat() async throws {
        let result = try await PaxosBinary.run(["inspect", "--help"])
        #expect(result.status == 0)
        for phrase in [
            "PXLJSEG1", "segment header  64 bytes", "frame header    32 bytes", "8-byte", "lz4", "zlib",
            "crc32", "--verify", "torn tail",
        ] {
            #expect(result.stdout.contains(phrase), "help lacks \(phrase)")
        }
    }

    /// A directory without segments is a valid, empty journal (exit 0), but the usual reason is a
    /// node's data directory given instead of its journal: say so.
    @Test func inspectingADirectoryWithoutSegmentsSaysSo() async throws {
        try await withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir + "/journal", withIntermediateDirectories: true)
            let result = try await PaxosBinary.run(["inspect", dir])
            #expect(result.status == 0)
            #expect(result.stdout.contains("segments: 0"))
            #expect(result.stderr.contains("holds no segment files"), "\(result.stderr)")
            #expect(result.stderr.contains("a node keeps its journal in \(dir)/journal"), "\(result.stderr)")
        }
    }

    @Test(arguments: [
        ["--writers", "0"], ["--writers", "1,x"], ["--size", "0"], ["--seconds", "0"], ["--codec", "brotli"],
        ["--payload", "zeros"], ["--reopen-mib", "0"],
    ])
    func benchUsageErrorsExit64(_ arguments: [String]) async throws {
        let result = try await PaxosBinary.run(["bench", "fsync", "--dir", "/tmp/unused-bench-dir"] + arguments)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("paxoslog: error: "))
    }

    @Test func benchReportsEveryStepAndCleansUp() async throws {
        try await withTemporaryDirectory { (directory: String) async throws in
            let result = try await PaxosBinary.run([
                "bench", "fsync", "--dir", directory, "--writers", "1,4", "--seconds", "0.2", "--size", "65536",
                "--codec", "none", "--reopen-mib", "2", "--json",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            let steps = object?["steps"] as? [[String: Any]]
            #expect(steps?.map { $0["writers"] as? Int } == [1, 4])
            #expect((steps?.first?["records"] as? Int ?? 0) > 0)
            #expect(steps?.first?["p50RatioToBaseline"] != nil)
            #expect(steps?.first?["ratioToLargeWriteBaseline"] != nil)
            #expect(steps?.first?["fullBatchDisk"] == nil)
            let fullBatch = steps?.last?["fullBatchDisk"] as? [String: Any]
            #expect((fullBatch?["writeSize"] as? Int ?? 0) >= 4 * 65536)
            #expect((steps?.last?["fullBatchCeilingRecordsPerSecond"] as? Double ?? 0) > 0)
            #expect(object?["baseline"] != nil)
            #expect(object?["largeWriteBaseline"] != nil)
            #expect((object?["reopen"] as? [String: Any])?["warmMegabytesPerSecond"] != nil)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [])
        }
    }

    @Test func benchTextNamesTheMethod() async throws {
        try await withTemporaryDirectory { (directory: String) async throws in
            let result = try await PaxosBinary.run([
                "bench", "fsync", "--dir", directory, "--writers", "2", "--seconds", "0.2", "--payload", "text",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("method: "))
            #expect(result.stdout.contains("baseline (pwrite + fdatasync per record)"))
            #expect(result.stdout.contains("1 writer") == false)
            #expect(result.stderr == "")  // progress lines only on a terminal
        }
    }
}
