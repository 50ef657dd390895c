/// The answer to a client request when what became of it is all it says: the request's id, then
/// its status (``TransferResult``, ``TrimResult``).
public struct RequestResult<Outcome: WireStatus>: RequestIDPrefixed, Hashable {
    /// What became of the request, named as callers know it: `TransferResult.Status`.
    public typealias Status = Outcome

    public var requestID: UInt64
    public var status: Status

    public init(requestID: UInt64, status: Status) {
        self.requestID = requestID
        self.status = status
    }

    public func writeFields(to writer: inout ByteWriter) { status.write(to: &writer) }

    public init(requestID: UInt64, readingFieldsFrom reader: inout ByteReader) throws(WireDecodingError) {
        self.init(requestID: requestID, status: try Status(reading: &reader))
    }
}
