import Foundation
import PaxosLogClient
import PaxosTestSupport
import Testing

/// Reads a node's `/metrics` and `/health` with Python: `urllib` for the request (proxies off: the
/// node is on loopback) and `prometheus_client`'s own text-format parser for the answer, so the
/// test checks the exposition against a real Prometheus parser, not against our idea of one.
enum MetricsProbe {
    /// Whether python3 with prometheus_client can run here. `make test` installs prometheus_client
    /// (its deps step), so on CI and development machines it can; elsewhere the tests that need it
    /// are skipped, saying so.
    static let isAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import prometheus_client"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Why a test that needs the probe is skipped.
    static let skipReason: Comment =
        "needs python3 with prometheus_client to parse /metrics (make deps installs it from PyPI)"

    /// Every sample of `/metrics` at `address` (`tcp:HOST:PORT`), keyed `name` or
    /// `name{label="value",...}` with the labels sorted.
    static func scrape(_ address: String) async throws -> [String: Double] {
        let result = try await python(["-c", script, "metrics", url(address, "/metrics")])
        guard result.status == 0, let data = result.stdout.data(using: .utf8),
            let samples = try JSONSerialization.jsonObject(with: data) as? [String: Double]
        else {
            throw ClientError("scraping \(address) failed (\(result.status)): \(result.stderr)")
        }
        return samples
    }

    /// The status code and body of `GET /health` at `address`.
    static func health(_ address: String) async throws -> (status: Int, body: String) {
        let result = try await python(["-c", script, "health", url(address, "/health")])
        guard result.status == 0, let data = result.stdout.data(using: .utf8),
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let status = object["status"] as? Int, let body = object["body"] as? String
        else {
            throw ClientError("GET /health at \(address) failed (\(result.status)): \(result.stderr)")
        }
        return (status, body)
    }

    private static func url(_ address: String, _ path: String) -> String {
        "http://" + address.dropFirst("tcp:".count) + path
    }

    private static func python(_ arguments: [String]) async throws -> PaxosBinary.Result {
        try await PaxosBinary.run(["python3"] + arguments, timeout: 30, binary: "/usr/bin/env")
    }

    private static let script = """
        from json import dumps
        from sys import argv
        from urllib import error, request
        mode, url = argv[1], argv[2]
        opener = request.build_opener(request.ProxyHandler({}))
        if mode == "health":
            try:
                with opener.open(url, timeout=10) as response:
                    print(dumps({"status": response.status, "body": response.read().decode()}))
            except error.HTTPError as failure:
                print(dumps({"status": failure.code, "body": failure.read().decode()}))
        else:
            from prometheus_client.parser import text_string_to_metric_families
            with opener.open(url, timeout=10) as response:
                text = response.read().decode()
            samples = {}
            for family in text_string_to_metric_families(text):
                for sample in family.samples:
                    labels = ",".join('%s="%s"' % item for item in sorted(sample.labels.items()))
                    samples[sample.name + ("{" + labels + "}" if labels else "")] = sample.value
            print(dumps(samples))
        """
}
