import NIOCore

/// Splits the byte stream into frames, refusing any frame longer than the limit. Never traps,
/// whatever the bytes: a bad length is an error for this connection only.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = Frame

    public let maximumFrameSize: Int
    /// When set, the limit in force now (lower until the handshake is done); never above `maximumFrameSize`.
    private let limit: FrameSizeLimit?

    public init(maximumFrameSize: Int = Frame.defaultMaximumSize, limit: FrameSizeLimit? = nil) {
        self.maximumFrameSize = maximumFrameSize
        self.limit = limit
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
            throw TransportError(.frameTooLarge, "frame of \(length) bytes exceeds the limit of \(limit)")
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        let covered = Int(length)  // the length word, the kind and the payload: all but the checksum
        let computed = buffer.withUnsafeReadableBytes {
            Frame.checksum(UnsafeRawBufferPointer(rebasing: $0[..<covered]))
        }
        guard let stored = buffer.getInteger(at: buffer.readerIndex + covered, endianness: .little, as: UInt32.self),
            stored == computed
        else {
            let stored = buffer.getInteger(at: buffer.readerIndex + covered, endianness: .little, as: UInt32.self)
            throw Frame.checksumMismatch(stored: stored ?? 0, computed: computed)
        }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let kind = buffer.readInteger(as: UInt8.self), let payload = buffer.readBytes(length: Int(length) - 5)
        else {
            throw TransportError(.malformedFrame, "truncated frame")
        }
        buffer.moveReaderIndex(forwardBy: 4)
        context.fireChannelRead(Self.wrapInboundOut(Frame(kind: kind, payload: payload)))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Writes frames as `u32 length | u8 kind | payload | u32 checksum` (see ``Frame``).
public struct FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = Frame

    public init() {}

    public func encode(data: Frame, out: inout ByteBuffer) throws {
        out.reserveCapacity(minimumWritableBytes: Frame.overhead + data.payload.count)
        let start = out.writerIndex - out.readerIndex
        out.writeInteger(UInt32(5 + data.payload.count), endianness: .little)
        out.writeInteger(data.kind)
        out.writeBytes(data.payload)
        let checksum = out.withUnsafeReadableBytes { Frame.checksum(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        out.writeInteger(checksum, endianness: .little)
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Adds the frame decoder (with its size limit) and encoder: every connection's first handlers.
    ///
    /// - Parameter limit: the lower limit in force until the handshake handler raises it.
    public func addFrameCodec(maximumFrameSize: Int = Frame.defaultMaximumSize, limit: FrameSizeLimit? = nil) throws {
        try addHandler(ByteToMessageHandler(FrameDecoder(maximumFrameSize: maximumFrameSize, limit: limit)))
        try addHandler(MessageToByteHandler(FrameEncoder()))
    }
}
