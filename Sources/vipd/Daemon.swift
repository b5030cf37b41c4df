import BGPCodec
import BGPCodecJSON
import BGPSession
import BGPTransport
import Election
import EtcdClient
import HealthProbe
import IPVS
import Layer2Link
import Logging
import NATRules
import NIOCore
import NIOPosix
import RIB
import VipdConfig
import VipdTelemetry

/// vipd's one owner of state: it runs on the speaker's event loop, keeps
/// the Loc-RIB and every peer's Adj-RIB-Out, and turns config (start,
/// reload) and control requests into announcements and withdrawals.
/// Route and control logic live in the extensions beside this file.
final class Daemon: @unchecked Sendable {
    let loop: EventLoop
    var config: VipdConfig
    let configPath: String
    var speaker: BGPSpeaker!
    var rib: LocRIB
    /// Each configured peer's index in the Loc-RIB, by address text.
    var ribIndex: [String: UInt16] = [:]
    /// Established peers' Adj-RIB-Out.
    var out: [String: AdjRIBOut] = [:]
    var flushTimers: [String: Scheduled<Void>] = [:]
    var lastError: [String: String] = [:]
    /// What each peer negotiated, kept past the session for graceful restart.
    var negotiated: [String: NegotiatedSession] = [:]
    /// RFC 4724 §4.2: the timer after which a restarting peer's stale routes go.
    var staleTimers: [String: Scheduled<Void>] = [:]
    /// Max-prefix: peers warned (until they drop below the threshold), and
    /// peers held down with their restart timer.
    var maxPrefixWarned: Set<String> = []
    var maxPrefixRestarts: [String: Scheduled<Void>] = [:]
    /// Peers past their limit, until their session is down.
    var maxPrefixTripped: Set<String> = []
    /// VIPs added with `vipctl vip add`: kept over reloads, not restarts.
    var runtimeVIPs: [VIPConfig] = []
    /// The VIP routes in the Loc-RIB now, with what they were built from.
    var originated: [RoutePrefix: VIPRoute] = [:]
    /// Logs, with per-peer debug switched at run time.
    let logger = Logger(label: "vipd")
    var debugSwitches = DebugSwitches(base: Logger(label: "vipd"))
    let metrics = VipdMetrics()
    /// The message counts last copied into the metrics, per peer.
    var tallies: [String: (received: [UInt64], sent: [UInt64])] = [:]

    /// The kernel's routes and addresses; nil when netlink is unavailable.
    var kernel: KernelPlumbing?

    /// What governs VIPs besides the config: election, health, drain, link.
    var gate = GateState()
    /// ARP VIPs on `interface`, and the monitor of its link; nil when
    /// AF_PACKET or netlink is unavailable.
    var layer2: Layer2Plumbing?
    var linkMonitor: (any LinkMonitor)?
    /// The election's driver while this node campaigns.
    var election: ElectionDriver?
    var electionStatus: ElectionStatus?
    /// A stop of the driver (leaving the election) is under way.
    var electionStopping = false
    /// When the election decided that this node takes over: the failover
    /// histogram runs from here to the first gratuitous ARP.
    var takeoverDecidedAt: NIODeadline?
    var healthChecker: HealthChecker?

    /// vipd's IPVS table; nil without services or without IPVS in the kernel.
    var ipvs: IPVSPlumbing?
    /// Each IPVS backend's check, its probe, its verdict (nil until the
    /// first), and the runtime weights of `vipctl lb backend set`.
    var backendCheckers: [BackendID: HealthChecker] = [:]
    var backendSpecs: [BackendID: ProbeSpec] = [:]
    var backendUp: [BackendID: Bool] = [:]
    var weightOverrides: [BackendID: Int32] = [:]
    /// Each configured service's position in `config.services`, by its key
    /// (rebuilt with the services), so that a runtime change finds its
    /// service at once in a table of thousands.
    var serviceIndex: [IPVSServiceKey: Int] = [:]
    /// `real_server`'s ARP and rp_filter sysctls, restored at exit.
    var realServerSysctls: SysctlChanges?

    /// Set when this run follows a graceful stop (RFC 4724 restarting speaker).
    let restarting: Bool
    /// Called when a control request ends the process.
    var onExit: (@Sendable () -> Void)?

    init(loop: EventLoop, config: VipdConfig, configPath: String) {
        self.loop = loop
        self.config = config
        self.configPath = configPath
        rib = LocRIB(localAS: config.asn ?? 0, decision: Decision(options: BestPathOptions(
            alwaysCompareMED: config.bestpath.alwaysCompareMED, multipath: config.bestpath.multipath)))
        restarting = GracefulRestartMarker.take(stateDir: config.stateDir, maxAge: config.peers.map { Int($0.gracefulRestart.restartTime) }.max() ?? 0)
    }

    func now() -> Instant { Instant(nanoseconds: Int64(NIODeadline.now().uptimeNanoseconds)) }

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
        // The IPVS table first: a VIP (BGP, ARP, lo) attracts traffic as
        // soon as it is announced, and the services behind it should be
        // there by then. Their health checks start below, with the others.
        try loop.submit { self.startIPVS(checks: false) }.wait()
        for p in config.peers { addToRIB(p) }
        updateRecording()
        startKernel()
        // Until the check has passed `rise` times, VIPs gated on it stay off.
        gate.electionConfigured = config.election != nil
        gate.healthUp = config.health.map { $0.type == .none ? nil : false } ?? nil
        syncVIPs()
        let endpoints = try config.peers.map(endpoint)
        // The speaker reports on this same loop, so events are handled at
        // once rather than queued behind each other: a control request then
        // waits for at most one read's work, not for a backlog of UPDATEs.
        speaker = BGPSpeaker(eventLoop: loop, peers: endpoints) { [unowned self] e in
            self.loop.preconditionInEventLoop()
            self.handle(e)
        }
        if let listen = config.listen {
            let bound = try speaker.listen(on: SocketAddress(ipAddress: listen.address.description, port: Int(listen.port))).wait()
            log("listening on \(bound)")
        }
        try speaker.start().wait()
        // Layer 2, the health check and the election report on the loop:
        // start them there, so that nothing else runs meanwhile.
        try loop.submit {
            self.startLayer2()
            self.startHealth()
            if self.ipvs != nil { self.startBackendChecks() }
            self.startRealServer()
            self.syncVIPs()
            self.startElection()
        }.wait()
        if restarting { log("restarting after a graceful stop (RFC 4724 Restart State set)") }
        log("started: AS \(config.asn ?? 0), router id \(config.routerID?.description ?? "-"), \(config.peers.count) peers, \(originated.count) BGP VIPs")
    }

    /// SIGTERM: drain first when `drain.on_sigterm` (GRACEFUL_SHUTDOWN for
    /// `drain.wait`), hand the election over (the successor takes the ARP
    /// VIPs before they leave here), then withdraw every VIP, Cease/2 with
    /// a message, and remove what vipd added.
    func shutdown() -> EventLoopFuture<Void> {
        loop.flatSubmit { () -> EventLoopFuture<Void> in
            guard self.config.drain.onSigterm, !self.out.isEmpty else { return self.loop.makeSucceededVoidFuture() }
            self.setDrained(true)
            self.log("draining before stop: GRACEFUL_SHUTDOWN for \(self.config.drain.wait)")
            return self.loop.scheduleTask(in: .milliseconds(self.config.drain.wait.milliseconds)) {}.futureResult
        }.flatMap { self.stopElection() }
            .flatMap {
                self.loop.submit {
                    self.stopHealth()
                    self.stopLayer2()
                    self.stopIPVS()
                    self.stopRealServer()
                    for peer in self.out.keys.sorted() {
                        guard let msgs = self.out[peer]?.withdrawAll() else { continue }
                        self.speaker.send(updates: msgs, to: peer)
                    }
                }
            }
            .flatMap { self.speaker.shutdown(message: "vipd shutting down") }
            .flatMap { self.loop.submit { self.kernel?.cleanupAtExit() } }
    }

    func addToRIB(_ p: PeerConfig) {
        let key = p.address.description
        let policy = PolicyCompiler.importPolicy(p.importPolicy, config)
        ribIndex[key] = rib.addPeer(PolicyCompiler.ribPeer(p, localAS: config.asn ?? 0), importPolicy: policy)
    }

    /// The RIB lists changed prefixes only when someone uses them: a peer
    /// that is sent learned routes (export other than `vips`), or FIB install.
    func updateRecording() {
        rib.recordChanges = config.fib.install || config.peers.contains { $0.exportPolicy != .vips }
    }

    func peerConfig(_ key: String) -> PeerConfig? { config.peers.first { $0.address.description == key } }

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

    func handle(_ event: SpeakerEvent) {
        // A peer removed by a reload still reports its last events; its
        // state is gone and must not come back.
        guard ribIndex[event.peer] != nil else { return }
        switch event {
        case .stateChanged(let peer, let from, let to):
            recordState(peer, from: from, to: to)
            plog(peer, "\(from.rawValue) -> \(to.rawValue)", state: to.rawValue)
        case .established(let peer, let n, let local):
            established(peer, n, local)
        case .down(let peer, let reason):
            maxPrefixTripped.remove(peer)
            flushTimers.removeValue(forKey: peer)?.cancel()
            out[peer] = nil
            lastError[peer] = describe(reason)
            recordDown(peer, reason)
            plog(peer, "down: \(describe(reason))")
            keepStaleOrClear(peer, reason)
        case .update(let peer, let result):
            // UPDATEs decoded in the same read as a session's end (a send
            // that ended it while this read was handled), or past a
            // max-prefix teardown, are not applied.
            guard let idx = ribIndex[peer], out[peer] != nil, !maxPrefixTripped.contains(peer) else { return }
            let changes = rib.apply(result, from: idx)
            if let f = result.fault { plog(peer, "UPDATE error \(f.notification.errorName), \(f.action.name)") }
            if debugSwitches.isOn(peer: peer), case .message(.update(let u)) = result {
                plog(peer, "debug: UPDATE \(u.nlri.count) NLRI, \(u.withdrawn.count) withdrawn, MP \(u.attributes.mpReach?.nlri.count ?? 0)", debug: true)
            }
            propagate(changes.bestChanged)
            // RFC 4724 §4.2: End-of-RIB ends the wait for a family's routes.
            for family in changes.endOfRIB {
                let swept = rib.sweepStale(idx, family: family)
                propagate(swept.bestChanged)
                plog(peer, "End-of-RIB \(family), \(rib.counts(idx).received(family)) prefixes")
            }
            if !changes.endOfRIB.isEmpty, rib.staleCount(idx) == 0 { staleTimers.removeValue(forKey: peer)?.cancel() }
            checkMaxPrefix(peer, idx)
        case .routeRefresh(let peer, let rr):
            refresh(peer, rr)
        }
    }

    private func established(_ peer: String, _ n: NegotiatedSession, _ local: NIOCore.SocketAddress?) {
        var s = ExportSession(localAS: config.asn ?? 0, peerAS: n.peerAS, negotiated: n, nextHopIPv4: nil, nextHopIPv6: nil)
        if let ip = local?.ipAddress {
            if let v4 = IPv4Address(ip) {
                s.nextHopIPv4 = v4
            } else if let v6 = IPv6Address(ip) {
                s.nextHopIPv6 = v6
                s.nextHopIPv6LinkLocal = HostLookup.linkLocal(besides: v6)
            }
        }
        negotiated[peer] = n
        guard let idx = ribIndex[peer], let pc = peerConfig(peer) else { return }
        rib.setRouterID(idx, n.peerRouterID.value)
        var o = AdjRIBOut(session: s, peer: idx, policy: PolicyCompiler.exportPolicy(pc.exportPolicy, config), mrai: .seconds(Int64(pc.mrai)))
        o.enqueueAll(rib)
        let msgs = o.flush(rib, now: now())
        out[peer] = o
        speaker.send(updates: msgs + n.families.map(endOfRIB), to: peer)
        plog(peer, "established, families \(n.families.map(\.description).joined(separator: ",")), sent \(o.advertised.count) routes")
    }

    /// RFC 4724 §4.2, as the receiving speaker: when a peer that offered
    /// graceful restart loses the session without a NOTIFICATION, its routes
    /// of the families in its capability stay, marked stale, for its restart
    /// time; otherwise they go at once.
    private func keepStaleOrClear(_ peer: String, _ reason: SessionDownReason) {
        staleTimers.removeValue(forKey: peer)?.cancel()
        guard let idx = ribIndex[peer] else { return }
        let notification: Bool
        switch reason {
        case .sent, .received: notification = true
        case .connectionFailed: notification = false
        }
        guard !notification, let n = negotiated[peer], n.gracefulRestart, let gr = n.peerGracefulRestart, rib.counts(idx).total > 0 else {
            propagate(rib.clearPeer(idx).bestChanged)
            return
        }
        propagate(rib.markStale(idx, keeping: Set(gr.families.map(\.family))).bestChanged)
        plog(peer, "graceful restart, keeping \(rib.staleCount(idx)) routes stale for \(gr.restartTime) s")
        staleTimers[peer] = loop.scheduleTask(in: .seconds(Int64(gr.restartTime))) { [unowned self] in
            guard let idx = self.ribIndex[peer] else { return }
            self.propagate(self.rib.sweepStale(idx).bestChanged)
            self.plog(peer, "restart time over, stale routes removed")
        }
    }

    /// RFC 2918 / RFC 7313: the peer asks for our routes of a family again.
    private func refresh(_ peer: String, _ rr: RouteRefreshMessage) {
        guard rr.subtype == 0, var o = out[peer] else { return }
        o.enqueueAll(rib, resend: true, family: rr.family)
        var msgs = o.flush(rib, now: now())
        out[peer] = o
        if o.session.negotiated.enhancedRouteRefresh {
            let marker = { (t: RouteRefreshMessage.Subtype) in
                (try? MessageCodec.encode(.routeRefresh(RouteRefreshMessage(family: rr.family, subtype: t)))) ?? []
            }
            msgs = [marker(.beginningOfRouteRefresh)] + msgs + [marker(.endOfRouteRefresh)]
        }
        speaker.send(updates: msgs, to: peer)
        plog(peer, "route refresh for \(rr.family), \(o.advertised.keys.filter { $0.family == rr.family }.count) routes sent again")
    }

    func endOfRIB(_ family: AddressFamily) -> [UInt8] {
        (try? MessageCodec.encode(.update(.endOfRIB(family)))) ?? []
    }

    func describe(_ r: SessionDownReason) -> String {
        switch r {
        case .sent(let n): return "sent \(n.errorName)" + (n.shutdownMessage.map { ": \($0)" } ?? "")
        case .received(let n): return "received \(n.errorName)" + (n.shutdownMessage.map { ": \($0)" } ?? "")
        case .connectionFailed: return "connection failed"
        }
    }

    func log(_ s: String) { logger.info("\(s)") }
}
