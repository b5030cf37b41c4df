import BGPCodec
import BGPSession
import NIOCore
import NIOPosix

/// One configured neighbour as the transport sees it.
public struct PeerEndpoint: Sendable {
    /// The peer's address and port.
    public var address: SocketAddress
    /// Our source address for outbound connections, if pinned.
    public var localAddress: SocketAddress?
    /// RFC 2385 TCP MD5 key.
    public var password: String?
    /// RFC 5082 GTSM.
    public var ttlSecurity: Bool
    /// eBGP multihop TTL, or the GTSM hop radius.
    public var multihop: Int
    public var session: SessionConfig

    public init(address: SocketAddress, localAddress: SocketAddress? = nil, password: String? = nil,
                ttlSecurity: Bool = false, multihop: Int = 1, session: SessionConfig) {
        self.address = address
        self.localAddress = localAddress
        self.password = password
        self.ttlSecurity = ttlSecurity
        self.multihop = multihop
        self.session = session
    }

    /// Peers are keyed by their IP address, as inbound connections identify them.
    var key: String { address.ipAddress ?? "\(address)" }
}

/// One peer as `vipctl neighbors` shows it.
public struct PeerSnapshot: Sendable {
    public var peer: String
    public var asn: UInt32
    public var state: SessionState
    public var establishedSince: Instant?
    public var negotiated: NegotiatedSession?
    public var lastDown: SessionDownReason?
    public var now: Instant
    /// Messages by type since start: `MessageTally.typeNames` order.
    public var received: [UInt64]
    public var sent: [UInt64]

    public var uptimeSeconds: Int64 {
        guard let since = establishedSince else { return 0 }
        return (now - since).components.seconds
    }
}

/// What the speaker reports to its owner (the RIB and the control API).
public enum SpeakerEvent: Sendable {
    case stateChanged(peer: String, from: SessionState, to: SessionState)
    /// `local` is our address on the session's connection: the next hop
    /// we announce as "self".
    case established(peer: String, NegotiatedSession, local: SocketAddress?)
    case down(peer: String, SessionDownReason)
    case update(peer: String, DecodeResult)
    case routeRefresh(peer: String, RouteRefreshMessage)

    /// The peer the event is about.
    public var peer: String {
        switch self {
        case .stateChanged(let p, _, _), .established(let p, _, _), .down(let p, _), .update(let p, _), .routeRefresh(let p, _): return p
        }
    }
}

/// Runs every peer's `PeerSession` on one event loop: the only owner of
/// session state, so no locks. Sockets, timers and bytes are its business;
/// every protocol decision is the pure session's.
public final class BGPSpeaker: @unchecked Sendable {
    public let eventLoop: EventLoop
    private var peers: [String: Entry] = [:]
    private var listener: Channel?
    private var aborted = false
    private let onEvent: @Sendable (SpeakerEvent) -> Void

    private struct Entry {
        var endpoint: PeerEndpoint
        var session: PeerSession
        var channels: [ConnectionID: Channel] = [:]
        /// The last write on each channel, so a close waits for it (a
        /// NOTIFICATION must leave before the connection closes).
        var lastWrite: [ConnectionID: EventLoopFuture<Void>] = [:]
        /// Connection attempts under way, and those the session gave up on
        /// while they were.
        var connecting: Set<ConnectionID> = []
        var abandoned: Set<ConnectionID> = []
        var timer: Scheduled<Void>?
        /// Bytes handed to each channel and not yet written to the kernel.
        var queued: [ConnectionID: Int] = [:]
        /// Connections closing after their last write (the newest few).
        var closing: [EventLoopFuture<Void>] = []
        /// Messages in and out: per live connection, and in all.
        var inbound: [ConnectionID: MessageTally] = [:]
        var inboundTotal = MessageTally()
        var outbound = MessageTally()
        var receivedCounts: [UInt64] {
            var t = inboundTotal
            for x in inbound.values { t.absorb(x) }
            return t.counts
        }
    }

    /// The most a connection may have queued for a peer that does not read.
    /// Past it the connection is closed; under it the Send Hold Timer
    /// (RFC 9687) bounds how long the peer may stall.
    public static let maxQueuedBytes = 32 << 20

    /// `eventLoop` must be the loop of a group of one thread, so that
    /// accepted connections run on it too.
    public init(eventLoop: EventLoop, peers: [PeerEndpoint], onEvent: @escaping @Sendable (SpeakerEvent) -> Void) {
        self.eventLoop = eventLoop
        self.onEvent = onEvent
        for p in peers { self.peers[p.key] = Entry(endpoint: p, session: PeerSession(config: p.session)) }
    }

    func now() -> Instant { Instant(nanoseconds: Int64(NIODeadline.now().uptimeNanoseconds)) }

    // MARK: control

    public func start() -> EventLoopFuture<Void> {
        eventLoop.submit {
            for key in self.peers.keys.sorted() {
                let passive = self.peers[key]!.endpoint.session.passive
                self.apply(key, self.peers[key]!.session.start(passive: passive, at: self.now()))
            }
        }
    }

    /// Listens for peers; returns the bound address (port 0 picks one).
    /// Each peer's MD5 key is set on the listening socket for its address.
    public func listen(on address: SocketAddress) -> EventLoopFuture<SocketAddress> {
        let bootstrap = ServerBootstrap(group: eventLoop)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                self.eventLoop.submit { self.accepted(channel) }.flatMap { $0 }
            }
        return bootstrap.bind(to: address).flatMap { channel in
            self.listener = channel
            let keyed = self.peers.values.filter { ($0.endpoint.password ?? "").isEmpty == false }
            let steps = keyed.map { e -> EventLoopFuture<Void> in
                guard let provider = channel as? SocketOptionProvider,
                      let sig = try? BGPSocketOptions.md5(peer: e.endpoint.address, key: e.endpoint.password!) else {
                    return channel.eventLoop.makeSucceededFuture(())
                }
                return provider.unsafeSetSocketOption(level: .init(rawValue: Int32(IPPROTO_TCP)),
                                                      name: .init(rawValue: BGPSocketOptions.tcpMD5SIG), value: sig)
            }
            return EventLoopFuture.andAllSucceed(steps, on: channel.eventLoop).map { channel.localAddress! }
        }
    }

    /// UPDATEs for an established peer, encoded with its send context.
    /// On the loop (the daemon's case) the bytes are written at once, so
    /// whatever the caller does next (netlink work, say) does not delay them.
    public func send(updates: [[UInt8]], to peer: String) {
        let body = {
            guard self.peers[peer] != nil else { return }
            self.apply(peer, self.peers[peer]!.session.send(updates: updates, at: self.now()))
        }
        if eventLoop.inEventLoop { body() } else { eventLoop.execute(body) }
    }

    public func state(of peer: String) -> EventLoopFuture<SessionState?> {
        eventLoop.submit { self.peers[peer]?.session.state }
    }

    /// A snapshot of every peer for the control API.
    public func snapshot() -> EventLoopFuture<[PeerSnapshot]> {
        eventLoop.submit {
            self.peers.keys.sorted().map { key in
                let s = self.peers[key]!.session
                return PeerSnapshot(peer: key, asn: self.peers[key]!.endpoint.session.peerAS, state: s.state,
                                    establishedSince: s.establishedSince, negotiated: s.negotiated, lastDown: s.lastDownReason,
                                    now: self.now(), received: self.peers[key]!.receivedCounts,
                                    sent: self.peers[key]!.outbound.counts)
            }
        }
    }

    /// A peer added at run time (reload). Its MD5 key is set on the
    /// listener before it starts.
    public func addPeer(_ p: PeerEndpoint) -> EventLoopFuture<Void> {
        eventLoop.submit {
            guard self.peers[p.key] == nil else { return self.eventLoop.makeSucceededFuture(()) }
            self.peers[p.key] = Entry(endpoint: p, session: PeerSession(config: p.session))
            return self.setListenerKey(p).map {
                self.apply(p.key, self.peers[p.key]!.session.start(passive: p.session.passive, at: self.now()))
            }
        }.flatMap { $0 }
    }

    /// Stops a peer with Cease (Peer De-configured by default) and forgets it.
    public func removePeer(_ key: String, subcode: CeaseSubcode = .peerDeconfigured, message: String? = nil) -> EventLoopFuture<Void> {
        stopPeer(key, subcode: subcode, message: message).map {
            self.peers[key]?.timer?.cancel()
            self.peers[key] = nil
        }
    }

    /// Stops a peer's session with Cease and this subcode; it stays down
    /// until `startPeer` (max-prefix teardown, or before a reset).
    public func stopPeer(_ key: String, subcode: CeaseSubcode, message: String? = nil) -> EventLoopFuture<Void> {
        eventLoop.submit {
            guard self.peers[key] != nil else { return self.eventLoop.makeSucceededFuture(()) }
            self.apply(key, self.peers[key]!.session.stop(subcode, message: message, at: self.now()))
            let writes = Array(self.peers[key]?.lastWrite.values ?? [:].values) + (self.peers[key]?.closing ?? [])
            return self.completed(writes)
        }.flatMap { $0 }
    }

    public func startPeer(_ key: String) {
        eventLoop.execute {
            guard let e = self.peers[key] else { return }
            self.apply(key, self.peers[key]!.session.start(passive: e.endpoint.session.passive, at: self.now()))
        }
    }

    /// `vipctl peer reset`: Cease/Administrative Reset, then start again.
    public func resetPeer(_ key: String, message: String? = nil) -> EventLoopFuture<Void> {
        stopPeer(key, subcode: .administrativeReset, message: message).map { self.startPeer(key) }
    }

    /// `vipctl peer reset --soft`: ask the peer to send its routes again
    /// (RFC 2918), for each family it negotiated with route refresh.
    public func requestRouteRefresh(_ key: String) -> EventLoopFuture<Bool> {
        eventLoop.submit {
            guard let n = self.peers[key]?.session.negotiated, n.routeRefresh else { return false }
            for f in n.families {
                self.apply(key, self.peers[key]!.session.send(routeRefresh: RouteRefreshMessage(family: f), at: self.now()))
            }
            return true
        }
    }

    /// Waits for writes and closes, but not for ever: a peer that reads
    /// nothing must not hold a stop or SIGTERM (5 s, then on regardless).
    private func completed(_ futures: [EventLoopFuture<Void>]) -> EventLoopFuture<Void> {
        let done = eventLoop.makePromise(of: Void.self)
        let timeout = eventLoop.scheduleTask(in: .seconds(5)) {}
        timeout.futureResult.whenSuccess { done.succeed(()) }
        EventLoopFuture.andAllComplete(futures, on: eventLoop).whenComplete { _ in
            // Cancelling fails the timer's future, so only one side completes `done`.
            timeout.cancel()
        }
        timeout.futureResult.whenFailure { _ in done.succeed(()) }
        return done.futureResult
    }

    private func setListenerKey(_ e: PeerEndpoint) -> EventLoopFuture<Void> {
        guard let channel = listener, let key = e.password, !key.isEmpty,
              let provider = channel as? SocketOptionProvider,
              let sig = try? BGPSocketOptions.md5(peer: e.address, key: key) else {
            return eventLoop.makeSucceededFuture(())
        }
        return provider.unsafeSetSocketOption(level: .init(rawValue: Int32(IPPROTO_TCP)),
                                              name: .init(rawValue: BGPSocketOptions.tcpMD5SIG), value: sig)
    }

    /// Stops every session (Cease with the message) and the listener.
    public func shutdown(message: String? = nil) -> EventLoopFuture<Void> {
        eventLoop.submit {
            for key in self.peers.keys.sorted() {
                self.apply(key, self.peers[key]!.session.stop(.administrativeShutdown, message: message, at: self.now()))
                self.peers[key]!.timer?.cancel()
            }
            let writes = self.peers.values.flatMap { Array($0.lastWrite.values) + $0.closing }
            return self.completed(writes).flatMap {
                self.listener?.close() ?? self.eventLoop.makeSucceededFuture(())
            }
        }.flatMap { $0 }.recover { _ in }
    }

    /// RFC 4724 restarting speaker: close every connection without a
    /// NOTIFICATION, so that peers keep our routes as stale, and stop
    /// reacting to anything after.
    public func abortForGracefulRestart() -> EventLoopFuture<Void> {
        eventLoop.submit {
            self.aborted = true
            var closes: [EventLoopFuture<Void>] = []
            for key in self.peers.keys {
                self.peers[key]!.timer?.cancel()
                for ch in self.peers[key]!.channels.values { closes.append(ch.close().recover { _ in }) }
                self.peers[key]!.channels = [:]
            }
            closes.append(self.listener?.close().recover { _ in } ?? self.eventLoop.makeSucceededFuture(()))
            return EventLoopFuture.andAllComplete(closes, on: self.eventLoop)
        }.flatMap { $0 }
    }

    // MARK: connections

    private func accepted(_ channel: Channel) -> EventLoopFuture<Void> {
        guard let ip = channel.remoteAddress?.ipAddress, peers[ip] != nil else {
            return channel.close()  // not a configured peer
        }
        let (id, actions) = peers[ip]!.session.accept(at: now())
        guard let id else { return channel.close() }
        let e = peers[ip]!.endpoint
        return BGPSocketOptions.apply(to: channel, peer: e.address, password: nil, ttlSecurity: e.ttlSecurity, multihop: e.multihop)
            .flatMap { channel.pipeline.addHandler(ConnectionHandler(speaker: self, peer: ip, connection: id)) }
            .map {
                self.peers[ip]?.channels[id] = channel
                self.apply(ip, actions)
            }
    }

    private func connect(_ key: String, _ id: ConnectionID) {
        guard let e = peers[key]?.endpoint else { return }
        var bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(30))
            .channelInitializer { channel in
                BGPSocketOptions.apply(to: channel, peer: e.address, password: e.password, ttlSecurity: e.ttlSecurity, multihop: e.multihop)
                    .flatMap { channel.pipeline.addHandler(ConnectionHandler(speaker: self, peer: key, connection: id)) }
            }
        if let local = e.localAddress { bootstrap = bootstrap.bind(to: local) }
        peers[key]!.connecting.insert(id)
        bootstrap.connect(to: e.address).hop(to: eventLoop).whenComplete { result in
            guard self.peers[key] != nil else {
                // The peer was removed while this attempt ran.
                if case .success(let ch) = result { ch.close(promise: nil) }
                return
            }
            self.peers[key]!.connecting.remove(id)
            if self.peers[key]!.abandoned.remove(id) != nil {
                if case .success(let ch) = result { ch.close(promise: nil) }
                return
            }
            switch result {
            case .success(let channel):
                self.peers[key]!.channels[id] = channel
                self.apply(key, self.peers[key]!.session.outboundResult(id, connected: true, at: self.now()))
            case .failure:
                self.apply(key, self.peers[key]!.session.outboundResult(id, connected: false, at: self.now()))
            }
        }
    }

    func received(_ bytes: [UInt8], peer key: String, connection id: ConnectionID) {
        guard peers[key] != nil else { return }
        peers[key]!.inbound[id, default: MessageTally()].scan(bytes)
        apply(key, peers[key]!.session.received(bytes, on: id, at: now()))
    }

    /// RFC 9687: a connection whose outbound buffer stays above NIO's high
    /// watermark has a peer that is not reading; the session's Send Hold
    /// Timer runs while it is so.
    func writability(_ writable: Bool, peer key: String, connection id: ConnectionID) {
        guard peers[key] != nil else { return }
        apply(key, peers[key]!.session.sendBlocked(!writable, on: id, at: now()))
    }

    func closed(peer key: String, connection id: ConnectionID) {
        guard peers[key]?.channels.removeValue(forKey: id) != nil else { return }
        if let t = peers[key]!.inbound.removeValue(forKey: id) { peers[key]!.inboundTotal.absorb(t) }
        peers[key]!.lastWrite[id] = nil
        peers[key]!.queued[id] = nil
        apply(key, peers[key]!.session.closed(id, at: now()))
    }

    // MARK: actions and timers

    private func apply(_ key: String, _ actions: [PeerAction]) {
        if aborted { return }
        for action in actions {
            switch action {
            case .connect(let id):
                connect(key, id)
            case .send(let id, let bytes):
                guard let ch = peers[key]?.channels[id] else { continue }
                let queued = (peers[key]!.queued[id] ?? 0) + bytes.count
                guard queued <= Self.maxQueuedBytes else {
                    // The peer reads nothing and the queue is full: give up
                    // on the connection rather than grow without bound.
                    peers[key]!.channels[id] = nil
                    peers[key]!.queued[id] = nil
                    ch.close(promise: nil)
                    apply(key, peers[key]!.session.closed(id, at: now()))
                    return
                }
                peers[key]!.queued[id] = queued
                peers[key]!.outbound.scan(bytes)
                var buffer = ch.allocator.buffer(capacity: bytes.count)
                buffer.writeBytes(bytes)
                let write = ch.writeAndFlush(buffer)
                write.whenComplete { _ in
                    if let q = self.peers[key]?.queued[id] { self.peers[key]!.queued[id] = q - bytes.count }
                }
                peers[key]!.lastWrite[id] = write
            case .disconnect(let id):
                if let ch = peers[key]?.channels.removeValue(forKey: id) {
                    peers[key]!.queued[id] = nil
                    let pending = peers[key]!.lastWrite.removeValue(forKey: id) ?? eventLoop.makeSucceededFuture(())
                    let closed = pending.flatMap { ch.close() }.recover { _ in }
                    // A stop or shutdown waits for these: the NOTIFICATION
                    // (and what was queued before it) must leave first.
                    peers[key]!.closing = Array(peers[key]!.closing.suffix(3)) + [closed]
                } else if peers[key]?.connecting.contains(id) == true {
                    peers[key]!.abandoned.insert(id)
                }
            case .stateChanged(let from, let to):
                onEvent(.stateChanged(peer: key, from: from, to: to))
            case .established(let n):
                let local = peers[key]?.session.establishedConnection.flatMap { peers[key]?.channels[$0]?.localAddress }
                onEvent(.established(peer: key, n, local: local))
            case .down(let r):
                onEvent(.down(peer: key, r))
            case .update(let u):
                onEvent(.update(peer: key, u))
            case .routeRefresh(let rr):
                onEvent(.routeRefresh(peer: key, rr))
            }
        }
        reschedule(key)
    }

    private func reschedule(_ key: String) {
        peers[key]?.timer?.cancel()
        guard let deadline = peers[key]?.session.nextDeadline else { return }
        let at = NIODeadline.uptimeNanoseconds(UInt64(max(0, deadline.nanoseconds)))
        peers[key]!.timer = eventLoop.scheduleTask(deadline: at) {
            guard self.peers[key] != nil else { return }
            self.apply(key, self.peers[key]!.session.advance(to: self.now()))
        }
    }
}

/// Feeds a connection's bytes, its writability and its end to the speaker.
/// Each read is framed and decoded before the next one is taken, so what is
/// buffered in vipd is at most one read plus one partial message; the rest
/// waits in the kernel, and the peer's window closes when vipd is busy.
final class ConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let speaker: BGPSpeaker
    let peer: String
    let connection: ConnectionID

    init(speaker: BGPSpeaker, peer: String, connection: ConnectionID) {
        self.speaker = speaker
        self.peer = peer
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        speaker.received(bytes, peer: peer, connection: connection)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        speaker.writability(context.channel.isWritable, peer: peer, connection: connection)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        speaker.closed(peer: peer, connection: connection)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
