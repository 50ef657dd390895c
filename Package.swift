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
        .library(name: "PaxosLogStore", targets: ["PaxosLogStore"]),
        .library(name: "PaxosLogClient", targets: ["PaxosLogClient"]),
        .library(name: "PaxosProtocol", targets: ["PaxosProtocol"]),
        .library(name: "PaxosTransport", targets: ["PaxosTransport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
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
        .systemLibrary(
            name: "CDeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]
        ),

        // glibc's malloc extensions (malloc_trim): a header of libc, nothing to link.
        .systemLibrary(name: "CMalloc"),

        // The Paxos roles and node state machines: values in, actions out, no I/O.
        .target(name: "PaxosCore", swiftSettings: strict),

        // Multi-Paxos over numbered slots as a state machine: the replicated log, no I/O.
        .target(
            name: "PaxosReplica",
            dependencies: ["PaxosCore", "PaxosProtocol", .product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: strict),

        // Block codecs (none, LZ4, zlib) over the C libraries.
        .target(name: "PaxosCompression", dependencies: ["CLZ4", "CZlib"], swiftSettings: strict),

        // The durable, checksummed, segmented write-ahead log. Knows nothing about Paxos.
        .target(
            name: "PaxosJournal",
            dependencies: ["PaxosCompression", "CDeflate", .product(name: "Histogram", package: "hdrhistogram-swift")],
            swiftSettings: strict
        ),

        // The cluster's X.509 identities: a CA, node and client certificates that name their holder
        // (`paxoslog:node:K`, `paxoslog:client:NAME`), and reading that name back. No sockets.
        .target(
            name: "PaxosCertificates",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),

        // Length-prefixed frames with a mutually authenticated handshake (HMAC-SHA256 over a shared
        // cluster secret) over Unix domain sockets and TCP (SwiftNIO), TCP under mutual TLS
        // (swift-nio-ssl) unless told otherwise. Carries opaque frames: knows nothing about Paxos.
        .target(
            name: "PaxosTransport",
            dependencies: [
                "CDeflate", "PaxosCertificates",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),

        // What nodes and clients say to each other: frame kinds and the client request/response types.
        .target(name: "PaxosProtocol", dependencies: ["PaxosCore"], swiftSettings: strict),

        // The committed log on disk: one journal record per chosen slot, a sparse index by entry.
        .target(name: "PaxosLogStore", dependencies: ["PaxosJournal", "PaxosProtocol"], swiftSettings: strict),

        // One `paxoslog node` process: replica + journal + log store + transport on one event loop.
        .target(
            name: "PaxosNode",
            dependencies: [
                "CMalloc", "PaxosCore", "PaxosReplica", "PaxosJournal", "PaxosLogStore", "PaxosTransport",
                "PaxosProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),

        // The client library the CLI uses: append, read, status against a cluster.
        .target(
            name: "PaxosLogClient",
            dependencies: [
                "PaxosCore", "PaxosTransport", "PaxosProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),

        // The command implementations; the executable only calls into this.
        .target(
            name: "PaxosLogCLI",
            dependencies: [
                "PaxosCore", "PaxosCompression", "PaxosJournal", "PaxosNode", "PaxosLogClient", "PaxosProtocol",
                "PaxosTransport", "PaxosCertificates",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
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
            name: "PaxosLogEndToEndTests",
            dependencies: [
                "PaxosTestSupport", "PaxosLogClient", "PaxosTransport", "PaxosProtocol", "PaxosCertificates",
                "PaxosNode", "PaxosCore", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "PaxosLogClientTests", dependencies: ["PaxosLogClient", "PaxosProtocol", "PaxosTransport"],
            swiftSettings: strict),
        .testTarget(
            name: "PaxosTransportTests",
            dependencies: [
                "PaxosTransport", "PaxosTestSupport", "PaxosCertificates",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "PaxosCertificatesTests",
            dependencies: [
                "PaxosCertificates",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "PaxosReplicaTests",
            dependencies: ["PaxosCore", "PaxosReplica", "PaxosProtocol", "PaxosTestSupport", "PaxosTransport"],
            swiftSettings: strict),
        .testTarget(
            name: "PaxosNodeTests",
            dependencies: [
                "PaxosNode", "PaxosCore", "PaxosReplica", "PaxosJournal", "PaxosLogStore", "PaxosProtocol",
                "PaxosTransport", "PaxosTestSupport", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "PaxosProtocolTests", dependencies: ["PaxosProtocol", "PaxosTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "PaxosLogStoreTests",
            dependencies: ["PaxosLogStore", "PaxosJournal", "PaxosProtocol", "PaxosTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "PaxosJournalTests", dependencies: ["PaxosJournal", "PaxosCompression", "PaxosTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "PaxosCompressionTests", dependencies: ["PaxosCompression", "PaxosTestSupport"], swiftSettings: strict
        ),
    ]
)
