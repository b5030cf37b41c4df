import BGPCodec
import BGPSession
import BGPTransport
import Logging
import NIOCore
import RIB
import VipdConfig
import VipdTelemetry

/// Metrics, readiness and logs: the daemon's state as operators see it.
/// Counters that the speaker keeps (messages by type) and gauges of the
/// RIB (prefix counts) are copied into the registry once a second, so a
/// scrape sees values at most a second old and the hot paths pay nothing.
extension Daemon {
    func startTelemetry(group: EventLoopGroup) throws -> TelemetryServer {
        for p in config.peers { metrics.registerPeer(p.address.description) }
        var options = TelemetryServer.Options()
        options.livenessLoop = loop
        let server = try TelemetryServer.start(address: config.metrics.address.description, group: group, registry: metrics.registry,
                                               options: options, readiness: { [unowned self] in self.readiness() }).wait()
        loop.scheduleRepeatedTask(initialDelay: .zero, delay: .seconds(1)) { [weak self] _ in self?.refreshMetrics() }
        log("metrics on http://\(server.boundAddress)/metrics, /healthz, /readyz")
        return server
    }

    /// Ready once every configured session is Established (one held down
    /// by max-prefix teardown counts as not ready), and the election, when
    /// there is one, is settled.
    func readiness() -> EventLoopFuture<Readiness> {
        speaker.snapshot().flatMap { peers in
            self.loop.submit {
                Readiness.evaluate(sessionStates: Dictionary(uniqueKeysWithValues: peers.map { ($0.peer, $0.state.rawValue) }),
                                   electionName: self.config.election?.name,
                                   electionRole: self.election == nil ? (self.config.election == nil ? nil : "candidate")
                                       : self.electionStatus?.role.rawValue)
            }
        }
    }

    func refreshMetrics() {
        speaker.snapshot().whenSuccess { peers in
            for p in peers {
                let (rx0, tx0) = self.tallies[p.peer] ?? ([UInt64](repeating: 0, count: 6), [UInt64](repeating: 0, count: 6))
                for (i, name) in MessageTally.typeNames.enumerated().dropFirst() {
                    if p.received[i] > rx0[i] { self.metrics.countMessageReceived(peer: p.peer, type: name, count: Int(p.received[i] - rx0[i])) }
                    if p.sent[i] > tx0[i] { self.metrics.countMessageSent(peer: p.peer, type: name, count: Int(p.sent[i] - tx0[i])) }
                }
                self.tallies[p.peer] = (p.received, p.sent)
                guard let idx = self.ribIndex[p.peer] else { continue }
                let c = self.rib.counts(idx)
                for f in [AddressFamily.ipv4Unicast, .ipv6Unicast] {
                    self.metrics.setPrefixesReceived(peer: p.peer, family: f.description, count: c.received(f))
                    self.metrics.setPrefixesAccepted(peer: p.peer, family: f.description, count: c.accepted(f))
                    self.metrics.setPrefixesAdvertised(peer: p.peer, family: f.description, count: self.out[p.peer]?.count(f) ?? 0)
                }
            }
            self.refreshVIPMetrics()
        }
    }

    /// `vipd_vip_owned`: owned (arp, table) or advertised to some peer (bgp).
    func refreshVIPMetrics() {
        for (v, _) in allVIPs {
            let s = vipState(v)
            metrics.setVIPOwned(vip: v.address.description, mode: v.mode.rawValue, owned: s == .owned || s == .advertised)
        }
    }

    /// A session changed state: the FSM metrics, and the last error when
    /// it went down with a NOTIFICATION.
    func recordState(_ peer: String, from: SessionState, to: SessionState) {
        metrics.recordTransition(peer: peer, from: from.rawValue, to: to.rawValue)
    }

    func recordDown(_ peer: String, _ reason: SessionDownReason) {
        switch reason {
        case .sent(let n), .received(let n): metrics.setLastError(peer: peer, code: Int(n.code), subcode: Int(n.subcode))
        case .connectionFailed: break
        }
    }

    /// A log line about one VIP, with `vip.address` and `vip.mode`.
    func vlog(_ address: IPAddress, mode: VIPMode, _ message: String) {
        logger.info("\(message)", metadata: [LogKey.vipAddress: "\(address)", LogKey.vipMode: "\(mode.rawValue)"])
    }

    /// A log line about one peer, with its `bgp.peer` metadata; at debug
    /// level only when debug is on for the peer.
    func plog(_ peer: String, _ message: String, debug: Bool = false, state: String? = nil) {
        var logger = debugSwitches.logger(for: peer)
        if let state { logger[metadataKey: LogKey.bgpState] = "\(state)" }
        if debug { logger.debug("\(message)") } else { logger.info("\(message)") }
    }
}
