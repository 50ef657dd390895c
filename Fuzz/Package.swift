// swift-tools-version:6.2
import PackageDescription

// The coverage-guided fuzz target (libFuzzer), kept out of the main package: it only links with
// `-sanitize=fuzzer`, which `make fuzz` passes. It drives the same decoders and replica the
// seeded fuzz tests in `make test` do, guided by coverage instead of a fixed seed.
// A path dependency is named after its directory, which is whatever the clone is called.
let root = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "paxoslog")

let package = Package(
    name: "paxoslog-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "PaxosFuzz",
            dependencies: [
                .product(name: "PaxosCore", package: root),
                .product(name: "PaxosReplica", package: root),
                .product(name: "PaxosProtocol", package: root),
                .product(name: "PaxosTransport", package: root),
            ]
        )
    ]
)
