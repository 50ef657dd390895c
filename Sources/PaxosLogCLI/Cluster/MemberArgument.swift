import ArgumentParser
import PaxosTransport

/// `K=ADDRESS`, the way `node --peer` and `cluster init --node` name a member.
enum MemberArgument {
    /// Parses each `K=unix:PATH` or `K=tcp:HOST:PORT`.
    ///
    /// - Parameter option: the flag's name, for messages (`--peer`).
    /// - Throws: `ValidationError` naming the argument: a bad id or address, or an id given twice.
    static func parse(_ arguments: [String], option: String) throws -> [(id: UInt32, address: TransportAddress)] {
        var result: [(id: UInt32, address: TransportAddress)] = []
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), let id = UInt32(argument[..<equals]), id >= 1 else {
                throw ValidationError(
                    "\(option) '\(argument)': expected ID=unix:PATH or ID=tcp:HOST:PORT (ID 1 or more)")
            }
            guard !result.contains(where: { $0.id == id }) else {
                throw ValidationError("\(option): node \(id) is given twice")
            }
            do {
                result.append((id, try TransportAddress(parsing: String(argument[argument.index(after: equals)...]))))
            } catch {
                throw ValidationError("\(option) '\(argument)': \(error)")
            }
        }
        return result
    }
}

extension TransportAddress {
    /// Whether this is a TCP address (which needs TLS or `--insecure`).
    var isTCP: Bool {
        if case .tcp = self { return true }
        return false
    }
}
