/// One problem `inspect` found: where it is and whether a crash explains it.
struct InspectProblem: Encodable, Equatable {
    /// A torn tail is what a crash mid-write leaves (recovery cuts it); damage is anything else.
    enum Kind: String, Encodable {
        case tornTail = "torn-tail"
        case damage
    }

    /// The segment file, relative to the inspected path (its file name).
    var file: String
    /// Byte offset within `file`.
    var offset: Int64
    /// Torn tail or damage.
    var kind: Kind
    /// What is wrong, expected versus found.
    var message: String

    /// `FILE at offset N: MESSAGE`, as printed in the summary and in the error line.
    var location: String { "\(file) at offset \(offset): \(message)" }
}
