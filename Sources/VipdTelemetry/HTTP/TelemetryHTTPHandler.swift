import NIOCore
import NIOHTTP1
import Prometheus

/// What the server answers, shared by every connection.
struct TelemetryRoutes: Sendable {
    let registry: PrometheusCollectorRegistry
    let readiness: @Sendable () -> EventLoopFuture<Readiness>
    let options: TelemetryServer.Options

    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"
    static let textContentType = "text/plain; charset=utf-8"
}

/// One connection's requests, answered in order (NIOHTTP1's pipelining
/// handler holds the next request back until a response has ended).
final class TelemetryHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: TelemetryRoutes
    private let limiter: RequestSizeLimiter
    private var head: HTTPRequestHead?

    init(routes: TelemetryRoutes, limiter: RequestSizeLimiter) {
        self.routes = routes
        self.limiter = limiter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
        case .body:
            break  // GET has no use for a body; the limiter bounds its size
        case .end:
            limiter.requestCompleted()
            guard let h = head else { return }
            head = nil
            route(h, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: Routing

    private func route(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard head.method == .GET else {
            respond(head, .methodNotAllowed, "only GET is served\n", extra: [("Allow", "GET")], context: context)
            return
        }
        switch path {
        case "/metrics":
            var body = context.channel.allocator.buffer(capacity: 0)
            body.writeBytes(routes.registry.emitToBuffer())
            respond(head, .ok, body, contentType: TelemetryRoutes.metricsContentType, context: context)
        case "/healthz":
            guard let loop = routes.options.livenessLoop else {
                respond(head, .ok, "ok\n", context: context)
                return
            }
            let probe = loop.submit {}
            answer(probe, within: routes.options.livenessTimeout, context: context) { result in
                switch result {
                case .success?: self.respond(head, .ok, "ok\n", context: context)
                case .failure(let error)?:
                    self.respond(head, .serviceUnavailable, "event loop failed: \(error)\n", context: context)
                case nil: self.respond(head, .serviceUnavailable, "event loop not answering\n", context: context)
                }
            }
        case "/readyz":
            answer(routes.readiness(), within: routes.options.readinessTimeout, context: context) { result in
                switch result {
                case .success(let r)? where r.ready:
                    self.respond(head, .ok, "ready\n", context: context)
                case .success(let r)?:
                    let text = r.reasons.isEmpty ? "not ready\n" : r.reasons.map { $0 + "\n" }.joined()
                    self.respond(head, .serviceUnavailable, text, context: context)
                case .failure(let error)?:
                    self.respond(head, .serviceUnavailable, "readiness check failed: \(error)\n", context: context)
                case nil:
                    self.respond(head, .serviceUnavailable, "readiness check timed out\n", context: context)
                }
            }
        default:
            respond(head, .notFound, "not found\n", context: context)
        }
    }

    /// Calls `body` on the channel's loop with the future's result, or with
    /// nil if it has not completed within `timeout`; exactly once either way.
    private func answer<T: Sendable>(_ future: EventLoopFuture<T>, within timeout: TimeAmount, context: ChannelHandlerContext,
                           _ body: @escaping (Result<T, any Error>?) -> Void) {
        let loop = context.eventLoop
        let once = Once()
        let timer = loop.assumeIsolated().scheduleTask(in: timeout) {
            if once.claim() { body(nil) }
        }
        future.hop(to: loop).assumeIsolated().whenComplete { result in
            timer.cancel()
            if once.claim() { body(result) }
        }
    }

    // MARK: Responses

    private func respond(_ head: HTTPRequestHead, _ status: HTTPResponseStatus, _ text: String,
                         extra: [(String, String)] = [], context: ChannelHandlerContext) {
        var body = context.channel.allocator.buffer(capacity: text.utf8.count)
        body.writeString(text)
        respond(head, status, body, contentType: TelemetryRoutes.textContentType, extra: extra, context: context)
    }

    private func respond(_ head: HTTPRequestHead, _ status: HTTPResponseStatus, _ body: ByteBuffer,
                         contentType: String, extra: [(String, String)] = [], context: ChannelHandlerContext) {
        let keepAlive = head.isKeepAlive
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", String(body.readableBytes))])
        for (name, value) in extra { headers.add(name: name, value: value) }
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let version = head.version.major == 1 ? head.version : .http1_1
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))),
                      promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }
}

/// A flag claimed once, on one event loop.
private final class Once {
    private var done = false

    func claim() -> Bool {
        if done { return false }
        done = true
        return true
    }
}
