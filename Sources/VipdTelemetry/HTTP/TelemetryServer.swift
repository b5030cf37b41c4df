import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// The operations HTTP server: `GET /metrics`, `/healthz` and `/readyz`
/// (docs/operations.md), HTTP/1.1 on SwiftNIO.
///
/// Each connection is bounded: a request (line, headers and body) may hold
/// `maxRequestBytes`, more is answered 413 and closed; a connection idle for
/// `idleTimeout` is closed; bytes that are not HTTP get a 400 and a close
/// from NIOHTTP1's error handler. Only GET is served (405 otherwise).
public final class TelemetryServer: Sendable {
    public struct Options: Sendable {
        /// The most bytes one request may take, line, headers and body together.
        public var maxRequestBytes = 16 * 1024
        /// A connection with no traffic either way for this long is closed.
        public var idleTimeout: TimeAmount = .seconds(60)
        /// `/readyz` answers 503 if the daemon's readiness closure has not
        /// answered within this time.
        public var readinessTimeout: TimeAmount = .seconds(5)
        /// The daemon's event loop: `/healthz` answers 200 only once a task
        /// submitted to it has run. Nil: the server's own loop answering is
        /// the whole check.
        public var livenessLoop: (any EventLoop)?
        /// `/healthz` answers 503 if `livenessLoop` has not run the task by then.
        public var livenessTimeout: TimeAmount = .seconds(2)

        public init() {}
    }

    /// The listening channel.
    public let channel: any Channel
    /// Where the server listens, with the real port when port 0 was asked.
    public let localAddress: SocketAddress

    /// `localAddress` as `127.0.0.1:2112` or `[::1]:2112`.
    public var boundAddress: String { BindAddress.text(localAddress) }

    private init(channel: any Channel, localAddress: SocketAddress) {
        self.channel = channel
        self.localAddress = localAddress
    }

    /// Binds `address` (`IPv4:PORT` or `[IPv6]:PORT`, port 0 for any free
    /// port) on `group` and serves `registry` and `readiness`.
    public static func start(
        address: String,
        group: any EventLoopGroup,
        registry: PrometheusCollectorRegistry,
        options: Options = Options(),
        readiness: @escaping @Sendable () -> EventLoopFuture<Readiness>
    ) -> EventLoopFuture<TelemetryServer> {
        let target: SocketAddress
        do {
            target = try BindAddress.parse(address)
        } catch {
            return group.next().makeFailedFuture(error)
        }
        let limits = {
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = options.maxRequestBytes
            limits.maxHeaderListSize = options.maxRequestBytes
            limits.maxHeaderFieldCount = 100
            return limits
        }()
        let routes = TelemetryRoutes(registry: registry, readiness: readiness, options: options)
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    let limiter = RequestSizeLimiter(limit: options.maxRequestBytes)
                    try sync.addHandler(IdleStateHandler(allTimeout: options.idleTimeout))
                    try sync.addHandler(limiter)
                    try sync.configureHTTPServerPipeline(withErrorHandling: true,
                                                         withEncoderConfiguration: .init(),
                                                         withDecoderLimitConfiguration: limits)
                    try sync.addHandler(TelemetryHTTPHandler(routes: routes, limiter: limiter))
                }
            }
            .bind(to: target)
            .flatMapThrowing { channel in
                guard let local = channel.localAddress else {
                    channel.close(promise: nil)
                    throw TelemetryServerError.badAddress(address, reason: "the socket has no local address")
                }
                return TelemetryServer(channel: channel, localAddress: local)
            }
    }

    /// Stops listening and closes the listening socket. Open connections end
    /// with their current request or their idle timeout.
    public func close() -> EventLoopFuture<Void> {
        channel.close()
    }
}

/// Counts the bytes of the request being read, in front of the HTTP decoder:
/// past the limit it answers 413 itself and closes. The HTTP handler resets
/// the count when a request is complete.
final class RequestSizeLimiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let limit: Int
    private var pending = 0
    private var refused = false

    init(limit: Int) {
        self.limit = limit
    }

    func requestCompleted() {
        pending = 0
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        pending += unwrapInboundIn(data).readableBytes
        guard pending > limit else {
            context.fireChannelRead(data)
            return
        }
        refused = true
        var out = context.channel.allocator.buffer(capacity: 128)
        out.writeString("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        context.writeAndFlush(wrapOutboundOut(out)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
