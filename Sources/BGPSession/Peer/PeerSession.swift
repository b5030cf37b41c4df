import BGPCodec

/// Names one TCP connection of a peer, for the transport.
public struct ConnectionID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public static func < (a: ConnectionID, b: ConnectionID) -> Bool { a.value < b.value }
    public var description: String { "conn\(value)" }
}

/// What a peer asks the transport and the RIB to do.
public enum PeerAction: Hashable, Sendable {
    /// Open a TCP connection to the peer, named `ConnectionID`.
    case connect(ConnectionID)
    case send(ConnectionID, [UInt8])
    /// Close (or stop trying to open) this connection.
    case disconnect(ConnectionID)
    /// The peer's state, the most advanced of its connections, changed.
    case stateChanged(from: SessionState, to: SessionState)
    case established(NegotiatedSession)
    case down(SessionDownReason)
    case update(DecodeResult)
    case routeRefresh(RouteRefreshMessage)
}

/// One configured peer: its session machine, and a second one while two
/// connections exist at once (RFC 4271 §6.8). The first machine is the
/// primary: it dials and restarts; an accepted connection gets a machine of
/// its own when the primary is busy with another connection, and collision
/// detection keeps one of them.
public struct PeerSession: Sendable {
    public let config: SessionConfig
    private var machines: [(id: ConnectionID, machine: SessionMachine)] = []
    private var nextID: UInt64 = 1
    private var enabled = false

    public init(config: SessionConfig) {
        self.config = config
        machines = [(ConnectionID(1), SessionMachine(config: config))]
        nextID = 2
    }

    /// The most advanced state of the peer's connections.
    public var state: SessionState {
        machines.map(\.machine.state).max { Self.rank($0) < Self.rank($1) } ?? .idle
    }

    static func rank(_ s: SessionState) -> Int {
        switch s {
        case .idle: return 0
        case .connect: return 1
        case .active: return 2
        case .openSent: return 3
        case .openConfirm: return 4
        case .established: return 5
        }
    }

    public var negotiated: NegotiatedSession? { machines.lazy.compactMap(\.machine.negotiated).first }
    public var establishedSince: Instant? { machines.lazy.compactMap(\.machine.establishedSince).first }
    public var lastDownReason: SessionDownReason? { machines.first?.machine.lastDownReason }
    public var connectionIDs: [ConnectionID] { machines.map(\.id) }
    /// The connection the session is Established on.
    public var establishedConnection: ConnectionID? {
        machines.first { $0.machine.state == .established }?.id
    }
    public var nextDeadline: Instant? { machines.compactMap(\.machine.nextDeadline).min() }

    // MARK: inputs

    public mutating func start(passive: Bool = false, at now: Instant) -> [PeerAction] {
        enabled = true
        return run(at: now) { $0.deliver(.manualStart(passive: passive), to: 0, at: now) }
    }

    public mutating func stop(_ subcode: CeaseSubcode = .administrativeShutdown, message: String? = nil, at now: Instant) -> [PeerAction] {
        enabled = false
        return run(at: now) { peer in
            var out: [PeerAction] = []
            for i in peer.machines.indices.reversed() {
                out += peer.deliver(.manualStop(subcode, message: message), to: i, at: now)
            }
            return out
        }
    }

    /// A connection from the peer was accepted. Returns its name, or nil when
    /// it must be refused (stopped, or already Established).
    public mutating func accept(at now: Instant) -> (ConnectionID?, [PeerAction]) {
        guard enabled, machines.count < 2 else { return (nil, []) }
        let primary = machines[0].machine.state
        switch primary {
        case .established:
            return (nil, [])
        case .idle:
            // Waiting out IdleHold after failed dials: a peer that dials us
            // is taken at once rather than refused for the backoff's length
            // (a peer that does not listen could otherwise never connect).
            let id = machines[0].id
            return (id, run(at: now) { peer in
                _ = peer.deliver(.manualStart(passive: true), to: 0, at: now)
                return peer.deliver(.tcpConnected(inbound: true), to: 0, at: now)
            })
        case .active:
            let id = machines[0].id
            return (id, run(at: now) { $0.deliver(.tcpConnected(inbound: true), to: 0, at: now) })
        case .connect, .openSent, .openConfirm:
            let id = ConnectionID(nextID)
            nextID += 1
            var second = config
            second.automaticRestart = false  // it lives for this connection only
            machines.append((id, SessionMachine(config: second)))
            let actions = run(at: now) { peer in
                _ = peer.deliver(.manualStart(passive: true), to: 1, at: now)
                return peer.deliver(.tcpConnected(inbound: true), to: 1, at: now)
            }
            return (id, actions)
        }
    }

    /// Our connection attempt named `id` succeeded (true) or failed.
    public mutating func outboundResult(_ id: ConnectionID, connected: Bool, at now: Instant) -> [PeerAction] {
        event(connected ? .tcpConnected(inbound: false) : .tcpConnectionFails, on: id, at: now)
    }

    public mutating func closed(_ id: ConnectionID, at now: Instant) -> [PeerAction] {
        event(.tcpConnectionFails, on: id, at: now)
    }

    public mutating func received(_ bytes: [UInt8], on id: ConnectionID, at now: Instant) -> [PeerAction] {
        event(.received(bytes), on: id, at: now)
    }

    public mutating func sendBlocked(_ blocked: Bool, on id: ConnectionID, at now: Instant) -> [PeerAction] {
        event(.sendBlocked(blocked), on: id, at: now)
    }

    /// UPDATEs for the established connection.
    public mutating func send(updates: [[UInt8]], at now: Instant) -> [PeerAction] {
        guard let i = machines.firstIndex(where: { $0.machine.state == .established }) else { return [] }
        return run(at: now) { $0.deliver(.sendUpdates(updates), to: i, at: now) }
    }

    public mutating func send(routeRefresh rr: RouteRefreshMessage, at now: Instant) -> [PeerAction] {
        guard let i = machines.firstIndex(where: { $0.machine.state == .established }) else { return [] }
        return run(at: now) { $0.deliver(.sendRouteRefresh(rr), to: i, at: now) }
    }

    public mutating func advance(to now: Instant) -> [PeerAction] {
        run(at: now) { peer in
            var out: [PeerAction] = []
            for i in peer.machines.indices {
                let reportDown = peer.machines[i].machine.state == .established || peer.machines.count == 1
                out += peer.wrap(peer.machines[i].machine.advance(to: now), index: i, reportDown: reportDown)
            }
            return out
        }
    }

    private mutating func event(_ e: SessionEvent, on id: ConnectionID, at now: Instant) -> [PeerAction] {
        guard let i = machines.firstIndex(where: { $0.id == id }) else { return [] }
        return run(at: now) { $0.deliver(e, to: i, at: now) }
    }

    // MARK: plumbing

    private mutating func deliver(_ e: SessionEvent, to i: Int, at now: Instant) -> [PeerAction] {
        let wasUp = machines[i].machine.state == .established
        let alone = machines.count == 1
        return wrap(machines[i].machine.handle(e, at: now), index: i, reportDown: wasUp || alone)
    }

    /// Machine actions, named by connection. Machine state changes are
    /// replaced by the peer's. A connection's failure is the peer's only
    /// when it was the session, or the only attempt at one (so that
    /// `lastDownReason` tells why a peer does not come up); the loser of a
    /// collision going away is not.
    private mutating func wrap(_ actions: [SessionAction], index i: Int, reportDown: Bool) -> [PeerAction] {
        var out: [PeerAction] = []
        for a in actions {
            switch a {
            case .connect:
                // Each attempt gets a name of its own, so that the transport
                // never confuses a new connection with one already closed.
                machines[i].id = ConnectionID(nextID)
                nextID += 1
                out.append(.connect(machines[i].id))
            case .send(let b): out.append(.send(machines[i].id, b))
            case .disconnect: out.append(.disconnect(machines[i].id))
            case .stateChanged: break
            case .established(let n): out.append(.established(n))
            case .down(let r): if reportDown { out.append(.down(r)) }
            case .update(let r): out.append(.update(r))
            case .routeRefresh(let rr): out.append(.routeRefresh(rr))
            }
        }
        return out
    }

    /// Runs a change, then resolves collisions, drops finished secondaries
    /// and reports the peer's state change.
    private mutating func run(at now: Instant, _ body: (inout PeerSession) -> [PeerAction]) -> [PeerAction] {
        let before = state
        var out = body(&self)
        out += resolveCollision(at: now)
        // A secondary that went Idle has no more use.
        if machines.count == 2, machines[1].machine.state == .idle { machines.remove(at: 1) }
        let after = state
        if before != after { out.append(.stateChanged(from: before, to: after)) }
        return out
    }

    /// RFC 4271 §6.8 collision detection. As soon as both connections are
    /// up and one of them has the peer's OPEN, the peer's identifier is known
    /// and the identifiers decide which connection stays (the RFC allows
    /// examining OpenSent when the identifier is known). Deciding that early,
    /// and by the identifiers even against an Established connection, makes
    /// both speakers pick the same connection whatever order their messages
    /// crossed in; the RFC's default (close the newer one when one is
    /// Established) lets each side keep a different one and lose both. A
    /// connection still dialing when the other is Established is dropped.
    private mutating func resolveCollision(at now: Instant) -> [PeerAction] {
        guard machines.count == 2 else { return [] }
        let s0 = machines[0].machine.state, s1 = machines[1].machine.state
        let hasOpen: (SessionState) -> Bool = { $0 == .openConfirm || $0 == .established }
        let dialing: (SessionState) -> Bool = { $0 == .connect || $0 == .active }
        let loser: Int
        // The peer's identifier, known from one OPEN, settles it as soon as
        // the other connection is up too (§6.8 allows examining OpenSent
        // when the identifier is known), before either can go Established.
        let connected: (SessionState) -> Bool = { hasOpen($0) || $0 == .openSent }
        if (hasOpen(s0) || hasOpen(s1)) && connected(s0) && connected(s1) {
            let remote = machines[0].machine.remoteOpen ?? machines[1].machine.remoteOpen!
            let keep = Collision.winner(localID: config.routerID, localAS: config.localAS,
                                        remoteID: remote.identifier, remoteAS: remote.asn)
            let ours0 = machines[0].machine.isInbound == false
            loser = (keep == .ourConnection) == ours0 ? 1 : 0
        } else if s0 == .established && dialing(s1) {
            loser = 1
        } else if s1 == .established && dialing(s0) {
            loser = 0
        } else {
            return []
        }
        let wasEstablished = machines[loser].machine.state == .established
        // Only a session that was up goes down for the RIB.
        let out = wrap(machines[loser].machine.handle(.manualStop(.connectionCollisionResolution, message: nil), at: now),
                       index: loser, reportDown: wasEstablished)
        machines.remove(at: loser)
        if loser == 0 {
            // The winner becomes the primary, and restarts like one.
            var m = machines[0].machine
            m.allowAutomaticRestart(config.automaticRestart)
            machines[0].machine = m
        }
        return out
    }
}
