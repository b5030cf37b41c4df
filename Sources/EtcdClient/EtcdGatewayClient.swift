import Election
import NIOCore
import NIOSSL

/// Carries `EtcdRequest`s to etcd's JSON gateway, moving to the next
/// endpoint when one fails (connection refused, time-out, or etcd saying it
/// has no leader), so that a member's crash or freeze costs one time-out.
/// etcd's own refusals (lease not found, ...) fail at once: another member
/// would say the same.
///
/// Why the JSON gateway and not gRPC: etcd 3.4 serves every call an
/// election needs on /v3/ (and /v3beta/), NIOHTTP1 is already in the build
/// for the metrics server, and grpc-swift with its protobuf runtime would
/// add minutes to every build for five small calls.
final class EtcdGatewayClient: @unchecked Sendable {
    struct RequestFailed: Error, CustomStringConvertible {
        var description: String
    }

    let eventLoop: EventLoop
    let endpoints: [EtcdEndpoints.Endpoint]
    let ssl: NIOSSLContext?
    let timeout: TimeAmount
    /// The endpoint requests go to first.
    private(set) var current = 0
    /// Told when an endpoint failed, so watches on it can be restarted.
    var onEndpointFailed: (Int) -> Void = { _ in }

    init(eventLoop: EventLoop, endpoints: EtcdEndpoints, timeout: Duration) throws {
        self.eventLoop = eventLoop
        self.endpoints = endpoints.endpoints
        ssl = try endpoints.tls.map { try $0.makeContext() }
        self.timeout = .nanoseconds(timeout.nanoseconds)
    }

    func send(_ request: EtcdRequest) -> EventLoopFuture<EtcdResponse> {
        let promise = eventLoop.makePromise(of: EtcdResponse.self)
        guard !endpoints.isEmpty else {
            promise.fail(RequestFailed(description: "no etcd endpoints"))
            return promise.futureResult
        }
        attempt(request, index: current, triesLeft: endpoints.count, promise: promise)
        return promise.futureResult
    }

    private func attempt(_ request: EtcdRequest, index: Int, triesLeft: Int, promise: EventLoopPromise<EtcdResponse>) {
        let (path, body) = EtcdJSON.encode(request)
        let exchange = HTTPExchange(eventLoop: eventLoop)
        var status = 0
        var bytes: [UInt8] = []
        exchange.onHead = { status = Int($0.status.code) }
        exchange.onBody = { bytes += $0.readableBytesView }
        exchange.onEnd = { [self] error in
            var failure: Error? = error
            var moveOn = error != nil
            if error == nil {
                if status == 200 {
                    do { return promise.succeed(try EtcdJSON.decode(bytes, for: request)) } catch { failure = error }
                } else {
                    failure = HTTPExchange.Failure.status(status, String(decoding: bytes, as: UTF8.self))
                    // 503 / grpc Unavailable: no leader, or the member is
                    // stopping. 504: deadline exceeded inside etcd.
                    moveOn = status == 503 || status == 504
                }
            }
            if moveOn {
                if current == index {
                    current = (index + 1) % endpoints.count
                    onEndpointFailed(index)
                }
                if triesLeft > 1 {
                    return attempt(request, index: (index + 1) % endpoints.count, triesLeft: triesLeft - 1, promise: promise)
                }
            }
            promise.fail(failure ?? RequestFailed(description: "failed"))
        }
        exchange.start(endpoint: endpoints[index], ssl: ssl, path: path, body: body, timeout: timeout)
    }

    /// Opens a watch on the current endpoint. `onMessage` gets each decoded
    /// line; `onEnd` is called once when the stream stops for any reason
    /// other than `cancel()`.
    func watch(_ request: EtcdWatchRequest, onMessage: @escaping (EtcdJSON.WatchMessage) -> Void,
               onEnd: @escaping () -> Void) -> (exchange: HTTPExchange, endpoint: Int) {
        let index = current
        let exchange = HTTPExchange(eventLoop: eventLoop)
        var pending: [UInt8] = []
        var status = 0
        exchange.onHead = { status = Int($0.status.code) }
        exchange.onBody = { [weak exchange] buffer in
            guard status == 200 else { return }
            pending += buffer.readableBytesView
            // One JSON object per line.
            while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[..<nl])
                pending.removeSubrange(...nl)
                guard !line.isEmpty else { continue }
                let message = (try? EtcdJSON.decodeWatch(line)) ?? .canceled
                if message == .canceled {
                    exchange?.finish(nil)
                    return
                }
                onMessage(message)
            }
        }
        exchange.onEnd = { [self] error in
            if error != nil, current == index {
                current = (index + 1) % endpoints.count
            }
            onEnd()
        }
        exchange.start(endpoint: endpoints[index], ssl: ssl, path: "/v3/watch", body: EtcdJSON.watchBody(request), timeout: timeout)
        return (exchange, index)
    }
}
