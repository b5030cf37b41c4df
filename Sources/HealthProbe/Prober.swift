#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// One probe's result. A probe never fails as a future: every way it can go
/// wrong is an outcome with `success == false` and a short `detail` for the
/// log (`health.target`) and `vipctl`.
public struct ProbeOutcome: Sendable, Hashable {
    public var success: Bool
    /// "200", "connected", "connection refused", "timeout",
    /// "tls: certificate verify failed", ...
    public var detail: String
    /// From the probe's start to its outcome.
    public var latency: Duration

    public init(success: Bool, detail: String, latency: Duration) {
        self.success = success
        self.detail = detail
        self.latency = latency
    }
}

/// Runs probes of one `ProbeSpec`. It keeps the TLS context between probes, so
/// the CA file is read once, and read off the event loop (on NIO's thread
/// pool) by the first probe that needs it; if that fails (the file is not
/// there yet, as on a node whose control plane is still being set up) the
/// probe fails with the reason and the next probe reads it again.
public final class Prober: Sendable {
    public let spec: ProbeSpec
    private let tlsContext = Mutex<NIOSSLContext?>(nil)

    public init(spec: ProbeSpec) {
        self.spec = spec
    }

    /// Runs one probe on `eventLoop`. The future always succeeds, on
    /// `eventLoop`, within `spec.timeout` (plus the loop's own latency); by
    /// then every channel the probe opened is closed or closing.
    public func probe(on eventLoop: EventLoop) -> EventLoopFuture<ProbeOutcome> {
        let run = ProbeRun(eventLoop: eventLoop, spec: spec)
        eventLoop.execute {
            run.start()
            switch self.spec.kind {
            case .tcp, .http:
                run.connect(tls: nil)
            case .https:
                self.context(on: eventLoop).whenComplete { result in
                    switch result {
                    case let .success(context): run.connect(tls: context)
                    case let .failure(error): run.finish(success: false, detail: "tls: \(error)")
                    }
                }
            }
        }
        return run.promise.futureResult
    }

    private func context(on eventLoop: EventLoop) -> EventLoopFuture<NIOSSLContext> {
        if let context = tlsContext.withLock({ $0 }) {
            return eventLoop.makeSucceededFuture(context)
        }
        let spec = self.spec
        return NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) {
            let context = try Self.makeContext(spec)
            self.tlsContext.withLock { $0 = context }
            return context
        }
    }

    /// The client's TLS set-up: the CA file's certificates as the only trust
    /// roots, or the system's; no verification at all with
    /// `insecureSkipVerify`.
    static func makeContext(_ spec: ProbeSpec) throws -> NIOSSLContext {
        var config = TLSConfiguration.makeClientConfiguration()
        if spec.insecureSkipVerify {
            config.certificateVerification = .none
        } else if let caFile = spec.caFile {
            do {
                config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw CAFileError(path: caFile, underlying: error)
            }
        }
        return try NIOSSLContext(configuration: config)
    }
}

/// The CA file could not be read or parsed.
struct CAFileError: Error, CustomStringConvertible {
    var path: String
    var underlying: Error
    var description: String { "ca_file \(path): \(underlying)" }
}

/// One probe in flight. All of its state lives on its event loop: the timer,
/// the channels it opened, and whether it has finished; `finish` is the one
/// way out, and it closes every channel and cancels the timer.
final class ProbeRun: @unchecked Sendable {
    let eventLoop: EventLoop
    let spec: ProbeSpec
    let promise: EventLoopPromise<ProbeOutcome>
    private var started = NIODeadline.now()
    private var deadline: Scheduled<Void>?
    private var channels: [Channel] = []
    private var done = false

    init(eventLoop: EventLoop, spec: ProbeSpec) {
        self.eventLoop = eventLoop
        self.spec = spec
        self.promise = eventLoop.makePromise(of: ProbeOutcome.self)
    }

    func start() {
        eventLoop.assertInEventLoop()
        started = .now()
        deadline = eventLoop.scheduleTask(in: TimeAmount(spec.timeout)) {
            self.finish(success: false, detail: "timeout")
        }
    }

    /// Connects, with TLS when `tls` is given, and for http(s) sends the
    /// request once connected. An IP host is connected to directly; a name
    /// goes through NIO's resolver, which runs getaddrinfo off the loop.
    func connect(tls: NIOSSLContext?) {
        eventLoop.assertInEventLoop()
        guard !done else { return }
        let spec = self.spec
        let serverName = spec.serverName ?? (isIPAddress(spec.host) ? nil : spec.host)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(spec.timeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // A channel opened after the probe finished is refused
                    // here, which fails its connect and closes it.
                    guard self.adopt(channel) else { throw ChannelError.ioOnClosedChannel }
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    if spec.kind != .tcp {
                        try pipeline.addHTTPClientHandlers()
                        try pipeline.addHandler(HTTPProbeHandler(run: self))
                    }
                }
            }
        let connected: EventLoopFuture<Channel>
        if let address = try? SocketAddress(ipAddress: spec.host, port: spec.port) {
            connected = bootstrap.connect(to: address)
        } else {
            connected = bootstrap.connect(host: spec.host, port: spec.port)
        }
        connected.whenComplete { result in
            switch result {
            case .success:
                // http(s) finish from the handler, on the response's head.
                if spec.kind == .tcp { self.finish(success: true, detail: "connected") }
            case let .failure(error):
                self.finish(success: false, detail: describe(error, spec: spec))
            }
        }
    }

    /// Keeps a new channel so that `finish` closes it; false once finished.
    private func adopt(_ channel: Channel) -> Bool {
        eventLoop.assertInEventLoop()
        guard !done else { return false }
        channels.append(channel)
        return true
    }

    /// The probe's one exit: records the outcome once, and closes everything.
    func finish(success: Bool, detail: String) {
        eventLoop.assertInEventLoop()
        guard !done else { return }
        done = true
        deadline?.cancel()
        deadline = nil
        for channel in channels { channel.close(promise: nil) }
        channels = []
        let latency = Duration.nanoseconds((NIODeadline.now() - started).nanoseconds)
        promise.succeed(ProbeOutcome(success: success, detail: detail, latency: latency))
    }
}

/// Sends GET with `Connection: close` when the channel becomes active (through
/// TLS, NIOSSL holds it until the handshake is done), and finishes the probe
/// on the response's head: the body is not read.
final class HTTPProbeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let run: ProbeRun

    init(run: ProbeRun) { self.run = run }

    func channelActive(context: ChannelHandlerContext) {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: run.spec.path)
        head.headers.add(name: "Host", value: run.spec.hostHeader)
        head.headers.add(name: "User-Agent", value: "vipd-health")
        head.headers.add(name: "Accept", value: "*/*")
        head.headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case let .head(head) = unwrapInboundIn(data) else { return }
        let code = Int(head.status.code)
        run.finish(success: run.spec.expectStatus.contains(code), detail: String(code))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        run.finish(success: false, detail: describe(error, spec: run.spec))
    }

    func channelInactive(context: ChannelHandlerContext) {
        run.finish(success: false, detail: "connection closed before a response")
        context.fireChannelInactive()
    }
}

/// Whether `host` is an IPv4 or IPv6 address rather than a name.
func isIPAddress(_ host: String) -> Bool {
    (try? SocketAddress(ipAddress: host, port: 0)) != nil
}

/// A short, stable text for an error, for logs and `vipctl`.
func describe(_ error: Error, spec: ProbeSpec) -> String {
    switch error {
    case let error as NIOConnectionError:
        if let first = error.connectionErrors.first { return describe(first.error, spec: spec) }
        if let dns = error.dnsAError ?? error.dnsAAAAError { return "dns: \(dns)" }
        return "dns: no address for \(spec.host)"
    case let error as IOError:
        switch error.errnoCode {
        case ECONNREFUSED: return "connection refused"
        case ECONNRESET: return "connection reset"
        case EHOSTUNREACH: return "host unreachable"
        case ENETUNREACH: return "network unreachable"
        case ETIMEDOUT: return "timeout"
        default: return "\(error)"
        }
    case let error as ChannelError:
        if case .connectTimeout = error { return "timeout" }
        return "\(error)"
    case let error as NIOSSLError:
        if case let .handshakeFailed(inner) = error {
            if "\(inner)".contains("CERTIFICATE_VERIFY_FAILED") { return "tls: certificate verify failed" }
            return "tls: handshake failed: \(inner)"
        }
        return "tls: \(error)"
    case let error as NIOSSLExtraError:
        if error == .failedToValidateHostname {
            return "tls: certificate is not valid for \(spec.serverName ?? spec.host)"
        }
        return "tls: \(error)"
    case let error as HTTPParserError:
        return "http: bad response: \(error)"
    default:
        return "\(error)"
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        self = .nanoseconds(duration.nanosecondsClamped)
    }
}

extension Duration {
    /// Whole nanoseconds, saturating at the Int64 range.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = ns.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? (ns < 0 ? .min : .max) : sum
    }
}
