import BGPCodec
import BGPCodecJSON
import BGPSession
import BGPTransport
import NIOCore
import NIOPosix
import RIB
import VipdConfig

/// vipd's one owner of state: it runs on the speaker's event loop, keeps
/// each peer's Adj-RIB-In and what was announced to it, and turns config
/// (start and reload) into announcements and withdrawals.
final class Daemon: @unchecked Sendable {
    let loop: EventLoop
    private(set) var config: VipdConfig
    let configPath: String
    var speaker: BGPSpeaker!
    private var ribIn: [String: AdjRIBIn] = [:]
    private var export: [String: ExportSession] = [:]
    private var advertised: [String: Set<RoutePrefix>] = [:]
    private var lastError: [String: String] = [:]
    /// What each peer negotiated, kept past the session for graceful restart.
    private var negotiated: [String: NegotiatedSession] = [:]
    /// RFC 4724 §4.2: the timer after which a restarting peer's stale routes go.
    private var staleTimers: [String: Scheduled<Void>] = [:]

    /// Set when this run follows a graceful stop (RFC 4724 restarting speaker).
    let restarting: Bool
    /// Called when a control request ends the process.
    var onExit: (@Sendable () -> Void)?

    init(loop: EventLoop, config: VipdConfig, configPath: String) {
        self.loop = loop
        self.config = config
        self.configPath = configPath
        restarting = GracefulRestartMarker.take(stateDir: config.stateDir, maxAge: config.peers.map { Int($0.gracefulRestart.restartTime) }.max() ?? 0)
    }

    /// `vipctl stop --graceful-restart`: leave the VIPs announced at the
    /// peers (they keep them stale, RFC 4724) and record the restart. The
    /// caller ends the process once its reply is out.
    func gracefulStop() -> EventLoopFuture<Void> {
        GracefulRestartMarker.write(stateDir: config.stateDir)
        log("graceful stop: closing sessions without NOTIFICATION; peers keep our routes for their restart time")
        return speaker.abortForGracefulRestart()
    }

    // MARK: start and stop

    func start() throws {
        let endpoints = try config.peers.map(endpoint)
        speaker = BGPSpeaker(eventLoop: loop, peers: endpoints) { [unowned self] e in
            self.loop.execute { self.handle(e) }
        }
        if let listen = config.listen {
            let bound = try speaker.listen(on: SocketAddress(ipAddress: listen.address.description, port: Int(listen.port))).wait()
            log("listening on \(bound)")
        }
        try speaker.start().wait()
        if restarting { log("restarting after a graceful stop (RFC 4724 Restart State set)") }
        log("started: AS \(config.asn ?? 0), router id \(config.routerID?.description ?? "-"), \(config.peers.count) peers, \(bgpVIPs.count) BGP VIPs")
    }

    /// SIGTERM: withdraw every VIP, then Cease/2 with a message.
    func shutdown() -> EventLoopFuture<Void> {
        loop.submit {
            for (peer, s) in self.export {
                let prefixes = Array(self.advertised[peer] ?? [])
                self.speaker.send(updates: VIPExport.withdraw(prefixes, session: s), to: peer)
            }
            self.advertised = [:]
        }.flatMap { self.speaker.shutdown(message: "vipd shutting down") }
    }

    func endpoint(_ p: PeerConfig) throws -> PeerEndpoint {
        var s = SessionConfig(localAS: config.asn ?? 0, routerID: config.routerID ?? .zero, peerAS: p.asn)
        s.holdTime = p.holdTime
        s.keepaliveTime = p.keepalive
        s.passive = p.passive
        s.families = p.families
        if p.gracefulRestart.enabled {
            // After a graceful stop: the Restart State bit, and forwarding
            // kept (the VIP addresses and routes stayed in place).
            s.gracefulRestart = GracefulRestartConfig(restartTime: p.gracefulRestart.restartTime,
                                                      restarting: restarting, forwardingPreserved: restarting)
        }
        s.hostname = config.nodeName
        s.connectRetryTime = .seconds(5)
        s.jitterSeed = UInt64(truncatingIfNeeded: p.address.description.hashValue)
        let source = try p.sourceAddress.map { try SocketAddress(ipAddress: $0.description, port: 0) }
        return PeerEndpoint(address: try SocketAddress(ipAddress: p.address.description, port: Int(p.port)),
                            localAddress: source, password: p.password, ttlSecurity: p.ttlSecurity,
                            multihop: Int(p.multihop), session: s)
    }

    // MARK: sessions

    private func handle(_ event: SpeakerEvent) {
        switch event {
        case .stateChanged(let peer, let from, let to):
            log("peer \(peer): \(from.rawValue) -> \(to.rawValue)")
        case .established(let peer, let n, let local):
            var s = ExportSession(localAS: config.asn ?? 0, peerAS: n.peerAS, negotiated: n, nextHopIPv4: nil, nextHopIPv6: nil)
            if let ip = local?.ipAddress {
                if let v4 = IPv4Address(ip) {
                    s.nextHopIPv4 = v4
                } else if let v6 = IPv6Address(ip) {
                    s.nextHopIPv6 = v6
                    s.nextHopIPv6LinkLocal = HostLookup.linkLocal(besides: v6)
                }
            }
            export[peer] = s
            negotiated[peer] = n
            let routes = bgpVIPs
            speaker.send(updates: VIPExport.announce(routes, session: s) + n.families.map(endOfRIB), to: peer)
            advertised[peer] = Set(routes.map(\.prefix))
            log("peer \(peer): established, families \(n.families.map(\.description).joined(separator: ",")), announced \(routes.count) VIPs")
        case .down(let peer, let reason):
            export[peer] = nil
            advertised[peer] = nil
            lastError[peer] = describe(reason)
            log("peer \(peer): down: \(describe(reason))")
            keepStaleOrClear(peer, reason)
        case .update(let peer, let result):
            let changes = ribIn[peer, default: AdjRIBIn()].apply(result)
            if let f = result.fault { log("peer \(peer): UPDATE error \(f.notification.errorName), \(f.action.name)") }
            // RFC 4724 §4.2: End-of-RIB ends the wait for a family's routes.
            for family in changes.endOfRIB {
                let swept = ribIn[peer]?.sweepStale(family) ?? []
                if !swept.isEmpty { log("peer \(peer): End-of-RIB \(family), \(swept.count) stale routes removed") }
            }
            if ribIn[peer]?.staleCount == 0 { staleTimers.removeValue(forKey: peer)?.cancel() }
        case .routeRefresh(let peer, let rr):
            // RFC 2918: send Adj-RIB-Out again, for the family asked; with
            // enhanced route refresh between BoRR and EoRR (RFC 7313).
            guard rr.subtype == 0, let s = export[peer] else { return }
            let routes = bgpVIPs.filter { $0.family == rr.family }
            var msgs = VIPExport.announce(routes, session: s)
            if s.negotiated.enhancedRouteRefresh {
                let marker = { (t: RouteRefreshMessage.Subtype) in
                    (try? MessageCodec.encode(.routeRefresh(RouteRefreshMessage(family: rr.family, subtype: t)))) ?? []
                }
                msgs = [marker(.beginningOfRouteRefresh)] + msgs + [marker(.endOfRouteRefresh)]
            }
            speaker.send(updates: msgs, to: peer)
            log("peer \(peer): route refresh for \(rr.family), \(routes.count) VIPs sent again")
        }
    }

    /// RFC 4724 §4.2, as the receiving speaker: when a peer that offered
    /// graceful restart loses the session without a NOTIFICATION, its routes
    /// of the families in its capability stay, marked stale, for its restart
    /// time; otherwise they go at once.
    private func keepStaleOrClear(_ peer: String, _ reason: SessionDownReason) {
        staleTimers.removeValue(forKey: peer)?.cancel()
        let notification: Bool
        switch reason {
        case .sent, .received: notification = true
        case .connectionFailed: notification = false
        }
        guard !notification, let n = negotiated[peer], n.gracefulRestart, let gr = n.peerGracefulRestart,
              var rib = ribIn[peer] else {
            ribIn[peer] = nil
            return
        }
        _ = rib.markStale(keeping: Set(gr.families.map(\.family)))
        ribIn[peer] = rib
        log("peer \(peer): graceful restart, keeping \(rib.staleCount) routes stale for \(gr.restartTime) s")
        staleTimers[peer] = loop.scheduleTask(in: .seconds(Int64(gr.restartTime))) { [unowned self] in
            for family in Array(self.ribIn[peer]?.routes.keys ?? [:].keys) { _ = self.ribIn[peer]?.sweepStale(family) }
            self.log("peer \(peer): restart time over, stale routes removed")
        }
    }

    private func endOfRIB(_ family: AddressFamily) -> [UInt8] {
        (try? MessageCodec.encode(.update(.endOfRIB(family)))) ?? []
    }

    /// A VIP as the route that carries it: /32 or /128.
    static func hostPrefix(_ address: IPAddress) -> RoutePrefix {
        switch address {
        case .v4(let a): return .ipv4(IPv4Prefix(a, 32))
        case .v6(let a): return .ipv6(IPv6Prefix(a, 128))
        }
    }

    /// The configured VIPs in BGP mode, as routes.
    var bgpVIPs: [VIPRoute] {
        config.vips.filter { $0.mode == .bgp }.map { v in
            VIPRoute(prefix: Self.hostPrefix(v.address), communities: v.communities.map(\.value), largeCommunities: v.largeCommunities,
                            med: v.med, localPref: v.localPref, asPathPrepend: Int(v.asPathPrepend))
        }
    }

    // MARK: reload

    /// SIGHUP: a new config's VIPs apply without a session reset. A config
    /// with errors is refused and the running one stays.
    func reload(_ new: VipdConfig) {
        loop.execute {
            let diff = ConfigDiff(old: self.config, new: new)
            self.config = new
            let routes = self.bgpVIPs
            let wanted = Set(routes.map(\.prefix))
            for (peer, s) in self.export {
                let before = self.advertised[peer] ?? []
                let gone = Array(before.subtracting(wanted))
                var msgs = VIPExport.withdraw(gone, session: s)
                msgs += VIPExport.announce(routes, session: s)  // attributes may have changed too
                self.speaker.send(updates: msgs, to: peer)
                self.advertised[peer] = wanted
            }
            let peerChanges = diff.peersAdded.count + diff.peersRemoved.count + diff.peersChanged.count + diff.sessionWideChanges.count
            self.log("reloaded: \(routes.count) BGP VIPs" + (peerChanges > 0 ? "; \(peerChanges) peer or session changes wait for a restart of vipd" : ""))
        }
    }

    // MARK: control API

    func neighbors() -> EventLoopFuture<JSONValue> {
        speaker.snapshot().map { peers in
            .array(peers.map { p in
                let n = p.negotiated
                let received = self.ribIn[p.peer]?.count ?? 0
                return .object([
                    ("address", .string(p.peer)),
                    ("asn", .int(p.asn)),
                    ("state", .string(p.state.rawValue)),
                    ("uptime_seconds", .int(p.uptimeSeconds)),
                    ("prefixes_received", .int(received)),
                    ("prefixes_accepted", .int(received)),
                    ("prefixes_advertised", .int(self.advertised[p.peer]?.count ?? 0)),
                    ("capabilities", .array((n?.peerCapabilities ?? []).map { MessageJSON().capability($0) })),
                    ("last_error", self.lastError[p.peer].map { .string($0) } ?? .null),
                ])
            })
        }
    }

    func ribInJSON() -> EventLoopFuture<JSONValue> {
        loop.submit {
            var rows: [JSONValue] = []
            for peer in self.ribIn.keys.sorted() {
                for (family, table) in self.ribIn[peer]!.routes.sorted(by: { $0.key.description < $1.key.description }) {
                    for (prefix, route) in table.sorted(by: { $0.key.description < $1.key.description }) {
                        let a = MessageJSON().attributes(route.attributes)
                        var nh: String
                        switch route.nextHop {
                        case .ipv4(let x): nh = x.description
                        case .ipv6(let g, _): nh = g.description
                        case .opaque: nh = ""
                        }
                        rows.append(.object([
                            ("prefix", .string(prefix.description)), ("family", .string(family.description)),
                            ("peer", .string(peer)), ("best", .bool(false)), ("next_hop", .string(nh)),
                            ("origin", a["origin"] ?? .null), ("as_path", Self.flatPath(route.attributes.asPath ?? [])),
                            ("med", a["med"] ?? .null), ("local_pref", a["local_pref"] ?? .null),
                            ("communities", a["communities"] ?? .array([])),
                            ("large_communities", a["large_communities"] ?? .array([])),
                            ("stale", .bool(route.stale)),
                        ]))
                    }
                }
            }
            return .array(rows)
        }
    }

    /// AS_PATH as `gobgp` and `birdc` show it: the sequence's numbers in
    /// order, a set as a nested list.
    static func flatPath(_ segments: [ASPathSegment]) -> JSONValue {
        var out: [JSONValue] = []
        for s in segments {
            switch s.kind {
            case .sequence, .confedSequence: out += s.asns.map { .int($0) }
            case .set, .confedSet: out.append(.array(s.asns.map { .int($0) }))
            }
        }
        return .array(out)
    }

    func vipsJSON() -> EventLoopFuture<JSONValue> {
        loop.submit {
            .array(self.config.vips.map { v in
                let prefix = Self.hostPrefix(v.address)
                let out = self.advertised.values.contains { $0.contains(prefix) }
                return .object([
                    ("address", .string(v.address.description)), ("mode", .string(v.mode.rawValue)),
                    ("state", .string(v.mode == .bgp ? (out ? "advertised" : "withdrawn") : "down")),
                    ("source", .string("config")),
                ])
            })
        }
    }

    func describe(_ r: SessionDownReason) -> String {
        switch r {
        case .sent(let n): return "sent \(n.errorName)" + (n.shutdownMessage.map { ": \($0)" } ?? "")
        case .received(let n): return "received \(n.errorName)" + (n.shutdownMessage.map { ": \($0)" } ?? "")
        case .connectionFailed: return "connection failed"
        }
    }

    func log(_ s: String) {
        let line = Array(("vipd: " + s + "\n").utf8)
        line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }
}
