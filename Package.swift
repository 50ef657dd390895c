// swift-tools-version:6.2
import PackageDescription

/// Every target of ours is built in Swift 6 mode with warnings as errors; dependencies are not.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "paxoslog",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "paxoslog", targets: ["paxoslog"]),
        .library(name: "PaxosCore", targets: ["PaxosCore"]),
        .library(name: "PaxosReplica", targets: ["PaxosReplica"]),
        .library(name: "PaxosJournal", targets: ["PaxosJournal"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // C libraries, each behind a shim so Swift sees one module per library.
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // The Paxos roles and node state machines: values in, actions out, no I/O.
        .target(name: "PaxosCore", swiftSettings: strict),

        // Multi-Paxos over numbered slots as a state machine: the replicated log, no I/O.
        .target(name: "PaxosReplica", dependencies: ["PaxosCore"], swiftSettings: strict),

        // Block codecs (none, LZ4, zlib) over the C libraries.
        .target(name: "PaxosCompression", dependencies: ["CLZ4", "CZlib"], swiftSettings: strict),

        // The durable, checksummed, segmented write-ahead log. Knows nothing about Paxos.
        .target(
            name: "PaxosJournal",
            dependencies: ["PaxosCompression", "CZlib", .product(name: "Histogram", package: "hdrhistogram-swift")],
            swiftSettings: strict
        ),

        // The command implementations; the executable only calls into this.
        .target(
            name: "PaxosLogCLI",
            dependencies: [
                "PaxosCore", "PaxosJournal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "paxoslog", dependencies: ["PaxosLogCLI"], swiftSettings: strict),

        // Shared test helpers: temporary directories, seeded randomness, the simulated network.
        .target(
            name: "PaxosTestSupport", dependencies: ["PaxosCore"], path: "Tests/PaxosTestSupport", swiftSettings: strict
        ),
        .testTarget(name: "PaxosCoreTests", dependencies: ["PaxosCore", "PaxosTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "PaxosReplicaTests", dependencies: ["PaxosReplica", "PaxosTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "PaxosJournalTests", dependencies: ["PaxosJournal", "PaxosTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "PaxosCompressionTests", dependencies: ["PaxosCompression", "PaxosTestSupport"], swiftSettings: strict
        ),
    ]
)
