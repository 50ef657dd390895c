import NIOCore

/// Splits the byte stream into frames, refusing any frame longer than the limit, with a wrong
/// checksum, or, once the handshake started inbound authentication, with a tag that does not
/// verify (see ``Frame``). Never traps, whatever the bytes: a bad frame is an error for this
/// connection only, and nothing after it is decoded.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = Frame

    public let maximumFrameSize: Int
    /// When set, the limit in force now (lower until the handshake is done); never above `maximumFrameSize`.
    private let limit: FrameSizeLimit?
    /// When set, the connection's authentication, which the handshake handler starts.
    private let authentication: FrameAuthentication?

    public init(
        maximumFrameSize: Int = Frame.defaultMaximumSize, limit: FrameSizeLimit? = nil,
        authentication: FrameAuthentication? = nil
    ) {
        self.maximumFrameSize = maximumFrameSize
        self.limit = limit
        self.authentication = authentication
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .little, as: UInt32.self) else {
            return .needMoreData
        }
        guard length >= 5 else {
            throw TransportError(
                .malformedFrame, "frame length \(length) at byte \(buffer.readerIndex) of the stream is below 5")
        }
        let limit = min(self.limit?.current ?? maximumFrameSize, maximumFrameSize)
        guard Int(length) <= limit else {
            if limit == FrameSizeLimit.handshake, Self.startsWithTLSRecord(buffer) {
                // One side has --tls-dir, the other --insecure: say so instead of "frame too large".
                throw TransportError(
                    .tlsFailed,
                    "the peer speaks TLS and this side plain TCP: give both sides --tls-dir, or both --insecure")
            }
            throw TransportError(.frameTooLarge, "frame of \(length) bytes exceeds the limit of \(limit)")
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        let covered = Int(length)  // the length word, the kind, the payload and any tag: all but the checksum
        let computed = buffer.withUnsafeReadableBytes {
            Frame.checksum(UnsafeRawBufferPointer(rebasing: $0[..<covered]))
        }
        guard let stored = buffer.getInteger(at: buffer.readerIndex + covered, endianness: .little, as: UInt32.self),
            stored == computed
        else {
            let stored = buffer.getInteger(at: buffer.readerIndex + covered, endianness: .little, as: UInt32.self)
            throw Frame.checksumMismatch(stored: stored ?? 0, computed: computed)
        }
        var tagSize = 0
        if let authentication, authentication.authenticatesInbound {
            tagSize = FrameAuthentication.tagSize
            guard covered >= 5 + tagSize else {
                throw authentication.failure("\(length) bytes leave no room for a tag")
            }
            let verified = buffer.withUnsafeReadableBytes {
                authentication.verifyNext(
                    UnsafeRawBufferPointer(rebasing: $0[..<(covered - tagSize)]),
                    tag: UnsafeRawBufferPointer(rebasing: $0[(covered - tagSize)..<covered]))
            }
            guard verified else { throw authentication.failure("its tag does not match") }
        }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let kind = buffer.readInteger(as: UInt8.self),
            let payload = buffer.readBytes(length: Int(length) - 5 - tagSize)
        else {
            throw TransportError(.malformedFrame, "truncated frame")
        }
        buffer.moveReaderIndex(forwardBy: tagSize + 4)
        context.fireChannelRead(Self.wrapInboundOut(Frame(kind: kind, payload: payload)))
        return .continue
    }

    /// Whether the bytes start like a TLS record (content type 20–23, major version 3), whose
    /// header read as a frame length is always far above the handshake limit.
    static func startsWithTLSRecord(_ buffer: ByteBuffer) -> Bool {
        guard let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let major = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self)
        else { return false }
        return (20...23).contains(type) && major == 3
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Writes frames as `u32 length | u8 kind | payload | [tag] | u32 checksum` (see ``Frame``).
public struct FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = Frame

    /// When set, the connection's authentication: once the handshake handler starts it, every frame gets a tag.
    private let authentication: FrameAuthentication?

    public init(authentication: FrameAuthentication? = nil) {
        self.authentication = authentication
    }

    public func encode(data: Frame, out: inout ByteBuffer) throws {
        encode(data, into: &out)
    }

    func encode(_ frame: Frame, into out: inout ByteBuffer) {
        let tagged = authentication?.authenticatesOutbound ?? false
        let tagSize = tagged ? FrameAuthentication.tagSize : 0
        out.reserveCapacity(minimumWritableBytes: Frame.overhead + tagSize + frame.payload.count)
        let start = out.writerIndex - out.readerIndex
        out.writeInteger(UInt32(5 + tagSize + frame.payload.count), endianness: .little)
        out.writeInteger(frame.kind)
        out.writeBytes(frame.payload)
        if tagged, let authentication {
            let code = out.withUnsafeReadableBytes {
                authentication.signNext(UnsafeRawBufferPointer(rebasing: $0[start...]))
            }
            _ = code.withUnsafeBytes { out.writeBytes(UnsafeRawBufferPointer(rebasing: $0[..<tagSize])) }
        }
        let checksum = out.withUnsafeReadableBytes { Frame.checksum(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        out.writeInteger(checksum, endianness: .little)
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Adds the frame decoder (with its size limit) and encoder: every connection's first handlers.
    ///
    /// - Parameters:
    ///   - limit: the lower limit in force until the handshake handler raises it.
    ///   - authentication: the connection's frame authentication, which the handshake handler
    ///     starts; nil for frames with a checksum only.
    public func addFrameCodec(
        maximumFrameSize: Int = Frame.defaultMaximumSize, limit: FrameSizeLimit? = nil,
        authentication: FrameAuthentication? = nil
    ) throws {
        try addHandler(
            ByteToMessageHandler(
                FrameDecoder(maximumFrameSize: maximumFrameSize, limit: limit, authentication: authentication)))
        try addHandler(MessageToByteHandler(FrameEncoder(authentication: authentication)))
    }
}
