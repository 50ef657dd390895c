/// A short, printable, single-line rendering of a record's bytes for `inspect --records`.
enum InspectPreview {
    /// Bytes shown before the preview is cut off with `...`.
    static let limit = 32

    /// Printable ASCII as is (backslash doubled), `\n`, `\t`, `\r` and `\xHH` for the rest, so a
    /// preview never breaks the line-per-record layout or a terminal.
    static func render(_ bytes: [UInt8]) -> String {
        bytes.count > limit ? escape(bytes.prefix(limit)) + "..." : escape(bytes)
    }

    /// All of `bytes`, escaped as in ``render(_:)`` but never cut off.
    static func escape(_ bytes: some Sequence<UInt8>) -> String {
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
