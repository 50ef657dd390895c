import ArgumentParser

/// `paxoslog certs`: the cluster's TLS certificates.
struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Make the certificates for mutual TLS between nodes and clients over TCP.",
        subcommands: [CertsCreate.self]
    )
}
