#if canImport(Glibc)
    import Glibc
#endif

/// The exact bytes of command-line arguments. Swift hands arguments over as `String`s, which
/// replace bytes that are not valid UTF-8 with U+FFFD; entries are bytes, so `append` takes each
/// entry's bytes from `argv` itself.
enum RawArguments {
    /// The raw bytes of each of `parsed` (positional arguments, in order, as the parser returned
    /// them). They are matched against `argv` from the end, where positional arguments sit, each
    /// to the last unused argument that decodes to the same string; one that matches nothing (it
    /// cannot happen with the real `argv`) keeps its UTF-8.
    static func bytes(of parsed: [String]) -> [[UInt8]] {
        bytes(
            of: parsed,
            argv: (0..<Int(CommandLine.argc)).map { index in
                CommandLine.unsafeArgv[index].map { pointer in
                    Array(UnsafeBufferPointer(start: pointer, count: strlen(pointer))).map { UInt8(bitPattern: $0) }
                } ?? []
            })
    }

    /// As ``bytes(of:)``, against a given `argv` (first element: the program).
    static func bytes(of parsed: [String], argv: [[UInt8]]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        result.reserveCapacity(parsed.count)
        var cursor = argv.count
        for entry in parsed.reversed() {
            var position = cursor - 1
            while position >= 1, String(decoding: argv[position], as: UTF8.self) != entry { position -= 1 }
            if position >= 1 {
                result.append(argv[position])
                cursor = position
            } else {
                result.append(Array(entry.utf8))
            }
        }
        return result.reversed()
    }
}
