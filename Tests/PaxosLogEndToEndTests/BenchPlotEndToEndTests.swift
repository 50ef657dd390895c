import Foundation
import PaxosTestSupport
import Testing

/// `bench fsync --plot`: the SVG is well-formed XML (Python's XML parser reads it) and holds one
/// point per measured step in each series, plus the baseline.
struct BenchPlotEndToEndTests {
    @Test func benchFsyncPlotIsWellFormedWithOnePointPerStep() async throws {
        try await withTemporaryDirectory { dir in
            let plot = dir + "/fsync.svg"
            let bench = try await PaxosBinary.run([
                "bench", "fsync", "--dir", dir + "/bench", "--writers", "1,2,4", "--seconds", "0.2", "--json",
                "--plot", plot,
            ])
            #expect(bench.status == 0, "\(bench.stderr)")
            let parsed = try await PaxosBinary.run(
                ["python3", "-c", Self.countPoints, plot], timeout: 30, binary: "/usr/bin/env")
            #expect(parsed.status == 0, "the SVG does not parse as XML: \(parsed.stderr)")
            let counts = try #require(
                try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: [String]])
            // Every step (writers 1, 2, 4) once in each series that measured it.
            #expect(counts["Throughput/journal"] == ["1", "2", "4"])
            #expect(counts["Append latency/p50"] == ["1", "2", "4"])
            #expect(counts["Append latency/p99"] == ["1", "2", "4"])
            // The disk's ceiling exists only with more than one writer.
            #expect(counts["Throughput/disk max (full batches)"] == ["2", "4"])
            #expect(counts["baselines"]?.count == 3, "the baseline lines: \(counts["baselines"] ?? [])")
        }
    }

    /// Prints, for each panel/series, the x of each point in document order, and the dashed lines.
    private static let countPoints = """
        from json import dumps
        from sys import argv
        from xml.etree import ElementTree
        root = ElementTree.parse(argv[1]).getroot()
        namespace = "{http://www.w3.org/2000/svg}"
        assert root.tag == namespace + "svg", root.tag
        counts = {}
        for circle in root.iter(namespace + "circle"):
            key = circle.get("data-panel") + "/" + circle.get("data-series")
            counts.setdefault(key, []).append(circle.get("data-x"))
        counts["baselines"] = [line.get("y1") for line in root.iter(namespace + "line") if line.get("stroke-dasharray")]
        print(dumps(counts))
        """
}
