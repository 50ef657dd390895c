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
        guard length >= 1 else {
            throw TransportError(.malformedFrame, "frame length 0 at byte \(buffer.readerIndex) of the stream")
        }
        let limit = min(self.limit?.current ?? maximumFrameSize, maximumFrameSize)
        guard Int(length) <= limit else {
            throw TransportError(.frameTooLarge, "frame of \(length) bytes exceeds the limit of \(limit)")
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let kind = buffer.readInteger(as: UInt8.self), let payload = buffer.readBytes(length: Int(length) - 1)
        else {
            throw TransportError(.malformedFrame, "truncated frame")
        }
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

/// Writes frames as `u32 length | u8 kind | payload`.
public struct FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = Frame

    public init() {}

    public func encode(data: Frame, out: inout ByteBuffer) throws {
        out.reserveCapacity(minimumWritableBytes: 5 + data.payload.count)
        out.writeInteger(UInt32(1 + data.payload.count), endianness: .little)
        out.writeInteger(data.kind)
        out.writeBytes(data.payload)
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
