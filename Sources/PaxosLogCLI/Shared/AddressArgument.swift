import ArgumentParser
import PaxosTransport

/// An address given on the command line (`--listen`, `--metrics-listen`, `--address`), parsed once
/// where it is given: a typo is a usage error naming the option, and the command gets a
/// `TransportAddress` (its `description` is the canonical `unix:PATH` or `tcp:HOST:PORT`).
enum AddressArgument {
    static func parse(_ text: String) throws -> TransportAddress {
        do {
            return try TransportAddress(parsing: text)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
