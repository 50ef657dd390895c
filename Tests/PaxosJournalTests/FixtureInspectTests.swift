import Foundation
import PaxosTestSupport
import Testing

/// Runs `paxoslog inspect` on every committed journal fixture and holds its standard output,
/// standard error and exit status to the expected files next to the fixture (regenerate them
/// with `Fixtures/journal/regenerate.sh` and review the diff).
@Suite("inspect on the journal fixtures")
struct FixtureInspectTests {
    /// One expected run: fixture `name`, files `name/expected.{txt,stderr.txt,status}`.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var expected: String
        /// "." for the journal directory, else a segment file name inside it.
        var target = "."
        var arguments: [String] = []

        var testDescription: String { "\(name)/\(expected)" }
    }

    static let cases: [Case] = [
        Case(name: "none", expected: "inspect"),
        Case(name: "lz4", expected: "inspect"),
        Case(name: "zlib", expected: "inspect"),
        Case(name: "torn-tail", expected: "inspect"),
        Case(name: "bit-flip", expected: "inspect"),
        Case(name: "truncated-header", expected: "inspect"),
        Case(name: "segment-gap", expected: "inspect"),
        Case(name: "lz4", expected: "inspect-json", arguments: ["--json"]),
        Case(name: "lz4", expected: "inspect-records", arguments: ["--records"]),
        Case(name: "lz4", expected: "inspect-records-json", arguments: ["--records", "--json"]),
        Case(name: "zlib", expected: "inspect-verify", arguments: ["--verify"]),
        Case(name: "bit-flip", expected: "inspect-records", arguments: ["--records"]),
        Case(
            name: "torn-tail", expected: "inspect-segment", target: "00000000000000000001.seg",
            arguments: ["--verify"]),
    ]

    @Test(arguments: cases)
    func matchesExpectedOutput(_ test: Case) async throws {
        try await withTemporaryDirectory { (directory: String) async throws in
            let journal = try FixtureSupport.copyJournal(test.name, into: directory)
            let result = try await PaxosBinary.run(["inspect"] + test.arguments + [journal + "/" + test.target])
            let stdout = try FixtureSupport.text(test.name, test.expected + ".txt")
            let stderrFile = test.expected + ".stderr.txt"
            let stderr =
                FixtureSupport.exists(test.name, stderrFile) ? try FixtureSupport.text(test.name, stderrFile) : ""
            let status = try FixtureSupport.text(test.name, test.expected + ".status")
            #expect(result.stdout == stdout)
            #expect(result.stderr == stderr)
            #expect("\(result.status)\n" == status)
        }
    }

    @Test func damageExitsOneWithFileAndOffsetOnStandardError() async throws {
        try await withTemporaryDirectory { (directory: String) async throws in
            let journal = try FixtureSupport.copyJournal("bit-flip", into: directory)
            let result = try await PaxosBinary.run(["inspect", journal])
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("paxoslog: error: 00000000000000000001.seg at offset 232: "))
        }
    }

    @Test func inspectChangesNothing() async throws {
        try await withTemporaryDirectory { (directory: String) async throws in
            let journal = try FixtureSupport.copyJournal("torn-tail", into: directory)
            let path = journal + "/00000000000000000001.seg"
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let result = try await PaxosBinary.run(["inspect", "--verify", "--records", journal])
            #expect(result.status == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            #expect(!FileManager.default.fileExists(atPath: journal + "/LOCK"))
        }
    }

    @Test func missingPathFails() async throws {
        let result = try await PaxosBinary.run(["inspect", "/nonexistent/paxoslog-journal"])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "paxoslog: error: /nonexistent/paxoslog-journal: no such journal directory or segment file\n")
    }
}
