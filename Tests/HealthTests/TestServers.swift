import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import Testing

/// A loopback HTTP(S) server the test steers: it answers every request with
/// the current status, or never answers at all. It speaks raw HTTP/1.1 on
/// ByteBuffers (enough for one GET and its answer) and counts its open
/// connections, so the tests can see that probes close theirs.
final class TestHTTPServer: Sendable {
    enum Mode: Sendable { case status(Int), silent }

    struct Stats: Sendable {
        var open = 0
        var maxOpen = 0
        var accepted = 0
        var requests: [String] = []
    }

    let mode = Mutex(Mode.status(200))
    let stats = Mutex(Stats())
    private let channel = Mutex<Channel?>(nil)

    var port: Int { channel.withLock { $0?.localAddress?.port ?? 0 } }

    func set(_ mode: Mode) { self.mode.withLock { $0 = mode } }

    /// Listens on 127.0.0.1 at an ephemeral port, with TLS from `tls` if given.
    static func start(on group: EventLoopGroup, tls: NIOSSLContext? = nil) async throws -> TestHTTPServer {
        let server = TestHTTPServer()
        let ch = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    if let tls {
                        try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try child.pipeline.syncOperations.addHandler(RawHTTPHandler(server: server))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        server.channel.withLock { $0 = ch }
        return server
    }

    func close() async {
        let ch = channel.withLock { $0 }
        try? await ch?.close()
    }

    /// Polls (bounded) until no connection is open.
    func waitUntilAllClosed(within seconds: Double = 5) async -> Bool {
        await eventually(within: seconds) { self.stats.withLock { $0.open } == 0 }
    }
}

final class RawHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let server: TestHTTPServer
    var received = ""
    var answered = false

    init(server: TestHTTPServer) { self.server = server }

    func channelActive(context: ChannelHandlerContext) {
        server.stats.withLock {
            $0.open += 1
            $0.accepted += 1
            $0.maxOpen = max($0.maxOpen, $0.open)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        server.stats.withLock { $0.open -= 1 }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += String(buffer: unwrapInboundIn(data))
        guard !answered, let end = received.firstRange(of: "\r\n\r\n") else { return }
        answered = true
        let request = String(received[..<end.lowerBound])
        server.stats.withLock { $0.requests.append(request) }
        switch server.mode.withLock({ $0 }) {
        case .silent:
            break
        case let .status(code):
            let body = "status \(code)\n"
            let text = "HTTP/1.1 \(code) Test\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// A plain TCP listener that accepts and holds connections.
final class TestTCPListener: Sendable {
    let channel: Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    init(on group: EventLoopGroup) async throws {
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async { try? await channel.close() }
}

/// A port on 127.0.0.1 that nothing listens on: bound by a listener that is
/// then closed.
func closedPort(on group: EventLoopGroup) async throws -> Int {
    let l = try await TestTCPListener(on: group)
    let port = l.port
    await l.close()
    return port
}

/// Polls `condition` every 10 ms until it holds or `seconds` pass.
func eventually(within seconds: Double, _ condition: @Sendable () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let end = clock.now + .milliseconds(Int(seconds * 1000))
    while clock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// A TLS server context from PEM files.
func serverTLS(cert: String, key: String) throws -> NIOSSLContext {
    let config = TLSConfiguration.makeServerConfiguration(
        certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) },
        privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
    return try NIOSSLContext(configuration: config)
}
