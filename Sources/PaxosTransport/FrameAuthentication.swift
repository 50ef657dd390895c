import Crypto
import Foundation
import NIOCore

/// One connection's frame authentication, shared by its frame decoder, its frame encoder and its
/// handshake handler, which starts each direction once the handshake has produced the
/// ``SessionKeys``. Until then a frame carries its CRC only (the handshake frames); from then on
/// every frame in that direction also carries a 16-byte tag (see ``Frame`` for the layout):
///
/// ```
/// tag = HMAC-SHA256(key of the direction, sequence u64 | length word | kind | payload)[0..<16]
/// ```
///
/// `sequence` counts that direction's authenticated frames from 0 and is never sent: a frame
/// injected, altered, replayed or reordered, or the frame after one that was dropped, fails its
/// tag. The decoder then throws `.frameAuthenticationFailed` ("frame N from … failed
/// authentication") and the handshake handler closes the connection.
///
/// Belongs to one channel and is used only on its event loop (like ``FrameSizeLimit``).
public final class FrameAuthentication {
    /// The bytes of a tag on the wire.
    public static let tagSize = 16

    private struct Direction {
        /// Keyed, nothing hashed yet: each frame hashes into a copy, so the key is processed once.
        let keyed: HMAC<SHA256>
        var sequence: UInt64 = 0
    }

    private var inbound: Direction?
    private var outbound: Direction?
    /// Who sends the inbound frames, for messages.
    private var peer = "the other side"

    public init() {}

    /// Whether frames on `channel` carry tags: on TCP, yes; on a Unix domain socket, no. A Unix
    /// socket lives in a 0700 directory, so whoever could inject into one (bind a dead node's
    /// path, or connect at all) runs as the cluster's user and could as well read the secret; its
    /// bytes never cross a network. The handshake still authenticates both ends there, and the
    /// tags would only cost: measured, 12–22% of the commits at 64 clients.
    ///
    /// Nor on a TLS connection: TLS already protects every byte's integrity, and the cluster
    /// membership the tags would prove was proven by the handshake that derived their keys.
    ///
    /// Call on the channel's event loop (it looks at the pipeline).
    public static func isNeeded(on channel: Channel) -> Bool {
        if channel.pipeline.syncOperations.runsTLS { return false }
        switch channel.localAddress ?? channel.remoteAddress {
        case .unixDomainSocket: return false
        default: return true
        }
    }

    /// True once inbound frames must carry a tag.
    public var authenticatesInbound: Bool { inbound != nil }

    /// True once outbound frames get a tag.
    public var authenticatesOutbound: Bool { outbound != nil }

    /// From the next frame on, inbound frames must carry a valid tag under `key`.
    ///
    /// - Parameter peer: who sends them, for the failure message ("node 2 at 127.0.0.1:40112").
    public func startInbound(key: SymmetricKey, from peer: String) {
        precondition(inbound == nil, "inbound frame authentication started twice")
        inbound = Direction(keyed: HMAC<SHA256>(key: key))
        self.peer = peer
    }

    /// From the next frame on, outbound frames are tagged under `key`.
    public func startOutbound(key: SymmetricKey) {
        precondition(outbound == nil, "outbound frame authentication started twice")
        outbound = Direction(keyed: HMAC<SHA256>(key: key))
    }

    /// The tag of the next outbound frame, whose bytes from the length word to the end of the
    /// payload are `frame`; advances the sequence.
    func signNext(_ frame: UnsafeRawBufferPointer) -> HashedAuthenticationCode<SHA256> {
        guard var direction = outbound else { preconditionFailure("outbound frame authentication not started") }
        let code = Self.code(direction.keyed, sequence: direction.sequence, frame: frame)
        direction.sequence += 1
        outbound = direction
        return code
    }

    /// Checks the tag of the next inbound frame; advances the sequence only if it holds.
    ///
    /// - Parameters:
    ///   - frame: the frame's bytes from the length word to the end of the payload.
    ///   - tag: the ``tagSize`` bytes that followed them.
    func verifyNext(_ frame: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer) -> Bool {
        guard var direction = inbound else { preconditionFailure("inbound frame authentication not started") }
        guard tag.count == Self.tagSize else { return false }
        let code = Self.code(direction.keyed, sequence: direction.sequence, frame: frame)
        let matches = code.withUnsafeBytes { computed in
            // Constant time: a forger learns nothing from how long a wrong tag took to refuse.
            var difference: UInt8 = 0
            for index in 0..<Self.tagSize { difference |= computed[index] ^ tag[index] }
            return difference == 0
        }
        if matches {
            direction.sequence += 1
            inbound = direction
        }
        return matches
    }

    /// Why the next inbound frame was refused.
    func failure(_ detail: String) -> TransportError {
        TransportError(
            .frameAuthenticationFailed,
            "frame \(inbound?.sequence ?? 0) from \(peer) failed authentication (\(detail)): it was injected, "
                + "altered, replayed or reordered, or a frame before it was lost; closing the connection")
    }

    private static func code(
        _ keyed: HMAC<SHA256>, sequence: UInt64, frame: UnsafeRawBufferPointer
    ) -> HashedAuthenticationCode<SHA256> {
        var mac = keyed
        withUnsafeBytes(of: sequence.littleEndian) { mac.update(data: $0) }
        mac.update(data: frame)
        return mac.finalize()
    }

    /// `frame` as it goes on the wire in the outbound direction, tagged if authentication has
    /// started (for tests and tools that write to a socket themselves).
    public func wireBytes(of frame: Frame) -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: Frame.overhead + Self.tagSize + frame.payload.count)
        FrameEncoder(authentication: self).encode(frame, into: &buffer)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }
}
