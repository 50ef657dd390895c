import Foundation

/// Where the committed journal fixtures live and how to use them without touching them.
enum FixtureSupport {
    /// `Fixtures/journal` at the repository root, found from this file's path.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // FixtureSupport.swift, PaxosJournalTests, Tests
        return url.appendingPathComponent("Fixtures/journal").path
    }()

    /// Copies fixture `name`'s journal directory to `directory/journal` and returns that path, so
    /// nothing a test runs (recovery cuts torn tails) can modify the committed files.
    static func copyJournal(_ name: String, into directory: String) throws -> String {
        let copy = directory + "/journal"
        try FileManager.default.copyItem(atPath: root + "/" + name + "/journal", toPath: copy)
        return copy
    }

    /// The text of fixture file `name/file`.
    static func text(_ name: String, _ file: String) throws -> String {
        try String(contentsOfFile: root + "/" + name + "/" + file, encoding: .utf8)
    }

    /// Whether fixture file `name/file` exists.
    static func exists(_ name: String, _ file: String) -> Bool {
        FileManager.default.fileExists(atPath: root + "/" + name + "/" + file)
    }

    /// A record escaped as the fixture's `records.txt` holds it (the escaping of `inspect`
    /// previews, without the cut-off): printable ASCII as is, `\\`, `\n`, `\t`, `\r`, `\xHH`.
    static func escape(_ bytes: [UInt8]) -> String {
        var text = ""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): text += "\\\\"
            case UInt8(ascii: "\n"): text += "\\n"
            case UInt8(ascii: "\t"): text += "\\t"
            case UInt8(ascii: "\r"): text += "\\r"
            case 0x20..<0x7F: text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = String(byte, radix: 16)
                text += "\\x" + (digits.count < 2 ? "0" : "") + digits
            }
        }
        return text
    }
}
