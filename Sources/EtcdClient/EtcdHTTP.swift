import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTP/1.1 POST to one etcd member, on a connection of its own:
/// simple, and a frozen member's connection never holds up another request.
/// Loopback and LAN connects cost well under a millisecond, far below the
/// keep-alive period. The response arrives in pieces (`onBody`), so the
/// same exchange serves a one-shot request and the watch stream.
///
/// Everything runs on the event loop it was made on; the class is only
/// `Sendable` so that NIO's closures can carry it.
final class HTTPExchange: @unchecked Sendable {
    enum Failure: Error, CustomStringConvertible {
        case timedOut, closedEarly, status(Int, String)
        var description: String {
            switch self {
            case .timedOut: return "timed out"
            case .closedEarly: return "connection closed before the response ended"
            case .status(let code, let body): return "HTTP \(code): \(body)"
            }
        }
    }

    let eventLoop: EventLoop
    var onHead: (HTTPResponseHead) -> Void = { _ in }
    var onBody: (ByteBuffer) -> Void = { _ in }
    /// Called once: nil when the response ended normally.
    var onEnd: (Error?) -> Void = { _ in }
    private var channel: Channel?
    private var timeout: Scheduled<Void>?
    private(set) var done = false

    init(eventLoop: EventLoop) { self.eventLoop = eventLoop }

    /// Connects and sends; `timeout` bounds the connect and the wait for
    /// the response head and first bytes (a watch then streams unbounded).
    func start(endpoint: EtcdEndpoints.Endpoint, ssl: NIOSSLContext?, path: String, body: [UInt8], timeout: TimeAmount) {
        self.timeout = eventLoop.scheduleTask(in: timeout) { [self] in finish(Failure.timedOut) }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(endpoint.host):\(endpoint.port)")
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.count))
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)
        let host = endpoint.host
        let isIP = host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
        ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let ssl {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: ssl, serverHostname: isIP ? nil : host))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ExchangeHandler(exchange: self, head: head, body: body))
                }
            }
            .connect(host: host, port: endpoint.port)
            .whenComplete { [self] result in
                switch result {
                case .success(let ch):
                    if done { ch.close(promise: nil) } else { channel = ch }
                case .failure(let error):
                    finish(error)
                }
            }
    }

    func gotBytes() {
        timeout?.cancel()
        timeout = nil
    }

    /// Ends the exchange (once) and closes its connection.
    func finish(_ error: Error?) {
        guard !done else { return }
        done = true
        timeout?.cancel()
        channel?.close(promise: nil)
        onEnd(error)
    }

    func cancel() {
        onEnd = { _ in }
        finish(nil)
    }
}

private final class ExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let exchange: HTTPExchange
    let head: HTTPRequestHead
    let body: [UInt8]

    init(exchange: HTTPExchange, head: HTTPRequestHead, body: [UInt8]) {
        self.exchange = exchange
        self.head = head
        self.body = body
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): exchange.onHead(h)
        case .body(let b):
            exchange.gotBytes()
            exchange.onBody(b)
        case .end: exchange.finish(nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        exchange.finish(HTTPExchange.Failure.closedEarly)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        exchange.finish(error)
    }
}
