/// A client message that begins with the u64 id pairing a request with its answer: the transfer,
/// trim and read requests and their results.
///
/// A conforming type states only the fields that follow the id. Writing the id, reading it back
/// and refusing bytes past the fields happen here, once for all of them, so no message can get
/// its frame's framing different from the others.
public protocol RequestIDPrefixed: Sendable {
    /// Pairs an answer with its request (the client numbers its attempts).
    var requestID: UInt64 { get }

    /// Bytes to reserve for the encoding: a hint, the writer grows past it.
    var encodedCapacity: Int { get }

    /// Writes the fields that follow the request id.
    func writeFields(to writer: inout ByteWriter)

    /// Reads the fields that follow the request id `requestID`, and checks them.
    init(requestID: UInt64, readingFieldsFrom reader: inout ByteReader) throws(WireDecodingError)
}

extension RequestIDPrefixed {
    public var encodedCapacity: Int { 32 }

    /// The request id, then the fields.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: encodedCapacity)
        writer.write(requestID)
        writeFields(to: &writer)
        return writer.bytes
    }

    /// Reads what `encoded()` wrote; a byte past the fields is an error.
    public init(decoding bytes: [UInt8]) throws(WireDecodingError) {
        var reader = ByteReader(bytes)
        let requestID: UInt64 = try reader.read()
        try self.init(requestID: requestID, readingFieldsFrom: &reader)
        try reader.expectEnd()
    }
}
