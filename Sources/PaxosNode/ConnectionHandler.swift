import Foundation
import Logging
import NIOCore
import PaxosCore
import PaxosProtocol
import PaxosReplica
import PaxosTransport

/// Routes the frames of one accepted connection to the node, once its handshake is done: a peer's
/// replica messages, or a client's appends, reads and status requests. A frame that does not
/// decode closes this connection (and is logged); the node keeps serving.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = Frame
    typealias OutboundOut = Frame

    private enum Caller {
        case unknown
        case peer(NodeID)
        case client(Int)
    }

    private let core: NIOLoopBound<NodeCore>
    private let logger: Logger
    private var caller = Caller.unknown

    init(core: NIOLoopBound<NodeCore>, logger: Logger) {
        self.core = core
        self.logger = logger
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let completed = event as? HandshakeCompleted else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        let hello = completed.hello
        switch hello.role {
        case .peer:
            let peer = NodeID(hello.senderID)
            // A member of the cluster file, or one the log added since (`cluster add`).
            guard core.value.configuration.peers[peer] != nil || core.value.replica.membership.contains(peer) else {
                logger.warning("closing connection from node \(hello.senderID), which is not a member")
                context.close(promise: nil)
                return
            }
            caller = .peer(peer)
            core.value.peerConnected(peer, incarnation: hello.incarnation)
        case .client:
            caller = .client(core.value.registerClient(context.channel))
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if case .client(let id) = caller, !context.channel.isWritable {
            // The client sends requests but does not read the answers: the answers queued for it
            // reached the listener's bound. Closing it keeps the node's memory bounded; a client
            // that reads its answers never gets here (it has one read, or one window of appends,
            // outstanding).
            logger.warning(
                "closing connection from client #\(id): it does not read its answers (the bound on bytes queued for it is reached)"
            )
            context.close(promise: nil)
            return
        }
        do {
            switch (caller, frame.kind) {
            case (.peer(let peer), FrameKind.peerMessage):
                core.value.receivePeerMessage(try ReplicaMessage(decoding: frame.payload), from: peer)
            case (.client(let client), FrameKind.appendRequest):
                core.value.receiveAppend(try AppendRequest(decoding: frame.payload), from: client)
            case (.client(let client), FrameKind.readRequest):
                core.value.receiveRead(try ReadRequest(decoding: frame.payload), from: client)
            case (.client(let client), FrameKind.trimRequest):
                core.value.receiveTrim(try TrimRequest(decoding: frame.payload), from: client)
            case (.client(let client), FrameKind.transferRequest):
                core.value.receiveTransfer(try TransferRequest(decoding: frame.payload), from: client)
            case (.client(let client), FrameKind.membershipRequest):
                core.value.receiveMembershipChange(try MembershipRequest(decoding: frame.payload), from: client)
            case (.client, FrameKind.statusRequest):
                let json = (try? JSONEncoder().encode(core.value.status())).map { Array($0) } ?? []
                context.writeAndFlush(wrapOutboundOut(Frame(kind: FrameKind.statusResult, payload: json)), promise: nil)
            default:
                throw WireDecodingError(offset: 0, message: "unexpected frame kind \(frame.kind)")
            }
        } catch {
            logger.warning("closing connection from \(describe(context)): bad frame: \(error)")
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .client(let id) = caller {
            core.value.unregisterClient(id)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.warning("closing connection from \(describe(context)): \(error)")
        context.close(promise: nil)
    }

    private func describe(_ context: ChannelHandlerContext) -> String {
        switch caller {
        case .peer(let peer): return "peer \(peer.rawValue)"
        case .client(let id): return "client #\(id)"
        case .unknown: return "an unidentified caller"
        }
    }
}
