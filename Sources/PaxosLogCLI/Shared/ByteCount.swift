import ArgumentParser

/// A number of bytes on the command line: `1048576`, `512KiB`, `64MiB`, `10GiB`, `1TiB` (K, M, G
/// and T alone mean the same powers of 1024).
struct ByteCount: ExpressibleByArgument, Hashable, CustomStringConvertible {
    var bytes: UInt64

    init(bytes: UInt64) { self.bytes = bytes }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces)
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let unit = text.dropFirst(digits.count).lowercased()
        let shifts: [String: UInt64] = [
            "": 0, "b": 0, "k": 10, "kib": 10, "m": 20, "mib": 20, "g": 30, "gib": 30, "t": 40, "tib": 40,
        ]
        guard let number = UInt64(digits), let shift = shifts[unit] else { return nil }
        let (value, overflow) = number.multipliedReportingOverflow(by: 1 << shift)
        guard !overflow else { return nil }
        bytes = value
    }

    var description: String { "\(bytes)" }

    static var defaultCompletionKind: CompletionKind { .default }
}
