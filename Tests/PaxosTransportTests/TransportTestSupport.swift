import Foundation
import Logging
import NIOCore
import NIOPosix
import PaxosTestSupport
import PaxosTransport
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Log lines kept in memory, for checking what a listener logged (tests never bootstrap logging).
final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func contains(_ text: String) -> Bool { all.contains { $0.contains(text) } }

    func count(_ text: String) -> Int { all.filter { $0.contains(text) }.count }

    var logger: Logger {
        Logger(label: "test") { _ in RecordingHandler(recorder: self) }
    }

    fileprivate func record(_ line: String) { lines.withLock { $0.append(line) } }

    /// Waits up to `seconds` for `count` lines containing `text`.
    func waitFor(_ text: String, count wanted: Int = 1, seconds: Double = 5) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if count(text) >= wanted { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return count(text) >= wanted
    }
}

private struct RecordingHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        recorder.record("\(event.level) \(event.message)")
    }
}

/// What the application behind a listener saw: completed handshakes and application frames.
final class ApplicationRecorder: Sendable {
    private let state = Mutex<(hellos: [Hello], frames: [Frame])>(([], []))

    var hellos: [Hello] { state.withLock { $0.hellos } }
    var frames: [Frame] { state.withLock { $0.frames } }

    /// The handler `Listener.bind`'s `configure` adds.
    func handler(pausingReads: Bool = false) -> ChannelHandler & Sendable {
        RecordingApplicationHandler(recorder: self, pausingReads: pausingReads)
    }

    /// For each completed handshake, whether its frames carry tags (``FrameAuthentication/isNeeded(on:)``).
    var tagged: [Bool] { tags.withLock { $0 } }
    private let tags = Mutex<[Bool]>([])

    fileprivate func completed(_ hello: Hello, tagged: Bool) {
        state.withLock { $0.hellos.append(hello) }
        tags.withLock { $0.append(tagged) }
    }
    fileprivate func received(_ frame: Frame) { state.withLock { $0.frames.append(frame) } }

    /// Waits up to `seconds` until `condition` holds.
    func waitUntil(seconds: Double = 5, _ condition: (ApplicationRecorder) -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition(self) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition(self)
    }
}

// Holds only a reference to a Sendable recorder, so it may cross into the channel initializer.
private final class RecordingApplicationHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = Frame

    let recorder: ApplicationRecorder
    /// Stop reading once the handshake is done: a peer that is frozen, as far as the sender sees.
    let pausingReads: Bool

    init(recorder: ApplicationRecorder, pausingReads: Bool) {
        self.recorder = recorder
        self.pausingReads = pausingReads
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let completed = event as? HandshakeCompleted {
            recorder.completed(completed.hello, tagged: FrameAuthentication.isNeeded(on: context.channel))
            if pausingReads { context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in } }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        recorder.received(unwrapInboundIn(data))
    }
}

/// A listener on a real socket in a temporary directory (or on 127.0.0.1), with recorders.
struct TestListener {
    static let clusterID: UInt64 = 0x1234_5678_9abc_def0
    static let listenerID: UInt32 = 1

    let address: TransportAddress
    let channel: Channel
    let log: LogRecorder
    let application: ApplicationRecorder

    /// Binds a listener; `tcp` picks 127.0.0.1 and a free port, otherwise a Unix socket in `dir`.
    static func start(
        in dir: String, tcp: Bool = false, secret: ClusterSecret, security: TransportSecurity? = nil,
        limits: ConnectionLimits = ConnectionLimits(), pausingReads: Bool = false, group: EventLoopGroup
    ) async throws -> TestListener {
        let log = LogRecorder()
        let application = ApplicationRecorder()
        let requested: TransportAddress = tcp ? .tcp(host: "127.0.0.1", port: 0) : .unix(path: dir + "/listener.sock")
        let channel = try await Listener.bind(
            requested, group: group, clusterID: clusterID, localID: listenerID, secret: secret, security: security,
            limits: limits, logger: log.logger
        ) { channel in
            try channel.pipeline.syncOperations.addHandler(application.handler(pausingReads: pausingReads))
        }
        var address = requested
        if tcp, let port = channel.localAddress?.port { address = .tcp(host: "127.0.0.1", port: port) }
        return TestListener(address: address, channel: channel, log: log, application: application)
    }

    func stop() async {
        try? await channel.close()
    }
}

/// Runs `body` with a one-thread event loop group, shut down afterwards.
func withEventLoopGroup<T>(_ body: (EventLoopGroup) async throws -> T) async throws -> T {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    do {
        let result = try await body(group)
        try await group.shutdownGracefully()
        return result
    } catch {
        try? await group.shutdownGracefully()
        throw error
    }
}

/// A blocking socket client that sends exactly the bytes a test chooses (Unix or TCP).
final class RawConnection {
    private let descriptor: Int32
    private var buffered: [UInt8] = []
    /// Everything sent, in order.
    private(set) var sent: [UInt8] = []

    init(to address: TransportAddress, receiveTimeout: Double = 3) throws {
        switch address {
        case .unix(let path):
            descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var socketAddress = sockaddr_un()
            socketAddress.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &socketAddress.sun_path) { buffer in
                for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
            }
            let result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard result == 0 else { throw TransportError(.connectFailed, "connect \(path): errno \(errno)") }
        case .tcp(_, let port):
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_addr.s_addr = inet_addr("127.0.0.1")
            socketAddress.sin_port = UInt16(port).bigEndian
            let result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard result == 0 else { throw TransportError(.connectFailed, "connect port \(port): errno \(errno)") }
        }
        Self.setReceiveTimeout(descriptor, receiveTimeout)
    }

    /// Wraps a connected socket (one a ``RawListener`` accepted).
    init(descriptor: Int32, receiveTimeout: Double = 3) {
        self.descriptor = descriptor
        Self.setReceiveTimeout(descriptor, receiveTimeout)
    }

    private static func setReceiveTimeout(_ descriptor: Int32, _ seconds: Double) {
        let whole = Int(seconds)
        var timeout = timeval(tv_sec: whole, tv_usec: Int((seconds - Double(whole)) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    func send(_ bytes: [UInt8]) {
        sent += bytes
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    func send(_ frame: Frame) { send(Self.encode(frame)) }

    static func encode(_ frame: Frame) -> [UInt8] { frame.wireBytes() }

    /// The frame checksum (CRC-32) of `bytes`, for a test that changes a frame and makes its
    /// checksum right again, so that only its tag can give it away.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        // zlib's CRC-32, bit by bit: slow, and independent of the code under test.
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// The next frame, or nil when the other side closed the connection (or the timeout passed).
    func receiveFrame() -> Frame? {
        while true {
            if buffered.count >= 5 {
                let length = Int(buffered[0]) | Int(buffered[1]) << 8 | Int(buffered[2]) << 16 | Int(buffered[3]) << 24
                if buffered.count >= 4 + length {
                    let frame = try? Frame(wireBytes: Array(buffered[0..<4 + length]))
                    buffered.removeFirst(4 + length)
                    return frame
                }
            }
            guard readMore() else { return nil }
        }
    }

    /// Reads until the other side closes (true) or the timeout passes (false); drops what arrives.
    func waitForClose() -> Bool {
        while true {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
            buffered += chunk[0..<count]
        }
    }

    private func readMore() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffered += chunk[0..<count]
        return true
    }
}

/// Runs blocking socket work off the Swift concurrency pool.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await PaxosBinary.onDedicatedThread(body)
}

/// A hello frame for the test cluster.
func testHello(role: Hello.Role = .client, senderID: UInt32 = 0, incarnation: UInt64 = 0) -> Hello {
    Hello(clusterID: TestListener.clusterID, role: role, senderID: senderID, incarnation: incarnation)
}

/// A blocking Unix socket listener that hands each accepted connection to the test as a
/// ``RawConnection``: an attacker listening at a dead node's address.
final class RawListener: Sendable {
    private let descriptor: Int32
    let address: TransportAddress

    init(path: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { buffer in
            for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(descriptor, 8) == 0 else {
            close(descriptor)
            throw TransportError(.connectFailed, "bind/listen \(path): errno \(errno)")
        }
        self.descriptor = descriptor
        address = .unix(path: path)
    }

    /// A listener on 127.0.0.1 and a free port.
    init(tcp: Void) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_addr.s_addr = inet_addr("127.0.0.1")
        socketAddress.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 8) == 0
                    && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw TransportError(.connectFailed, "bind/listen 127.0.0.1: errno \(errno)")
        }
        self.descriptor = descriptor
        address = .tcp(host: "127.0.0.1", port: Int(UInt16(bigEndian: socketAddress.sin_port)))
    }

    deinit { close(descriptor) }

    /// The next connection (blocks until one arrives).
    func accept() throws -> RawConnection {
        let connection = Glibc.accept(descriptor, nil, nil)
        guard connection >= 0 else { throw TransportError(.connectFailed, "accept: errno \(errno)") }
        return RawConnection(descriptor: connection)
    }
}
