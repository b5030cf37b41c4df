import BGPCodec
import BGPCodecJSON
import Election
import EtcdClient
import Logging
import NIOCore
import VipdConfig
import VipdTelemetry

/// The election in the daemon: one etcd election (docs/election.md) whose
/// leader owns the elected VIPs. The node campaigns only while it may lead:
/// healthy, when the health check gates elected VIPs, and with its ARP
/// interface usable. A leader that loses either resigns with a graceful
/// handover rather than waiting for its lease to run out.
extension Daemon {
    func startElection() {
        gate.electionConfigured = config.election != nil
        updateCampaign()
    }

    /// Whether a failing health check takes this node out of the election:
    /// some elected VIP (arp, or bgp with `advertise: leader`) is gated on it.
    var electionHealthGated: Bool {
        config.health != nil && allVIPs.contains { v, _ in v.health && (v.mode == .arp || v.advertise == .leader) }
    }

    /// Starts campaigning when the node may lead, and stops (resigning with
    /// a handover) when it may not.
    func updateCampaign() {
        guard let e = config.election else { return }
        let may = gate.mayCampaign(healthGated: electionHealthGated, hasARPVIPs: allVIPs.contains { $0.0.mode == .arp })
        if may, election == nil, !electionStopping {
            let driver = ElectionDriver(
                eventLoop: loop,
                settings: ElectionSettings(name: e.name, nodeName: config.nodeName ?? "vipd", leaseTTL: Int(e.leaseTTL)),
                endpoints: EtcdEndpoints(urls: e.endpoints, tls: e.tls.map { EtcdTLS(caFile: $0.caFile, certFile: $0.certFile, keyFile: $0.keyFile) }),
                onOwnership: { [unowned self] owns in self.electionOwnership(owns) },
                onStatus: { [unowned self] s in self.electionStatusChanged(s) })
            election = driver
            if let e = driver.setupError { elog("cannot reach etcd: \(e); this node stays a candidate without the VIP") }
            elog("campaigning")
            driver.start()
        } else if !may, let driver = election, !electionStopping {
            electionStopping = true
            elog("leaving the election: \(gate.healthUp == false ? "health check failing" : "interface \(config.interface ?? "-") unusable")")
            driver.stop().whenComplete { [unowned self] _ in
                self.loop.execute {
                    self.election = nil
                    self.electionStopping = false
                    self.electionOwnership(false)
                    self.updateCampaign()
                }
            }
        }
    }

    /// The driver's verdict: take the elected VIPs now, or drop them now.
    func electionOwnership(_ owns: Bool) {
        guard gate.ownsElection != owns else { return }
        gate.ownsElection = owns
        // A failover when some node led before (not the first election):
        // the histogram runs from this decision, the moment this node
        // learned that the previous leader's key is gone, to the first
        // gratuitous ARP.
        takeoverDecidedAt = owns && electionStatus?.leader != nil ? NIODeadline.now() : nil
        if let name = config.election?.name {
            metrics.setElectionLeader(name: name, leader: owns)
            metrics.countElectionTransition(name: name)
        }
        elog(owns ? "taking the elected VIPs" : "dropping the elected VIPs", role: owns ? "leader" : nil)
        syncVIPs()
    }

    /// The first gratuitous ARP of a takeover left: the election may now
    /// tell a resigning predecessor that it can drop the VIP.
    func announcedOwnership() {
        election?.ownershipAnnounced()
    }

    func electionStatusChanged(_ s: ElectionStatus) {
        let before = electionStatus
        electionStatus = s
        if before?.role != s.role || before?.leader != s.leader {
            elog("role \(s.role.rawValue), leader \(s.leader ?? "none")")
        }
    }

    /// `election`: {name, leader, role, lease_ttl, lease_remaining_seconds}.
    func electionJSON() -> EventLoopFuture<JSONValue> {
        loop.submit {
            guard let e = self.config.election else { throw ControlError("no election is configured") }
            let s = self.election?.status ?? self.electionStatus
            return .object([
                ("name", .string(e.name)),
                ("leader", s?.leader.map { .string($0) } ?? .null),
                ("role", .string(self.election == nil ? "candidate" : s?.role.rawValue ?? "candidate")),
                ("lease_ttl", .int(Int(e.leaseTTL))),
                ("lease_remaining_seconds", s?.leaseRemainingSeconds.map { .double($0) } ?? .null),
                ("node", .string(self.config.nodeName ?? "")),
                ("campaigning", .bool(self.election != nil && !self.electionStopping)),
            ])
        }
    }

    /// `election resign`: a graceful handover; the node campaigns again
    /// afterwards, behind the others.
    func electionResign() -> EventLoopFuture<JSONValue> {
        loop.submit {
            guard self.config.election != nil, let driver = self.election else { throw ControlError("not in an election") }
            let wasLeader = self.gate.ownsElection
            self.elog("resigning (vipctl)")
            driver.resign()
            return .object([("ok", .bool(true)), ("was_leader", .bool(wasLeader))])
        }
    }

    /// SIGTERM: leave the election with a handover, bounded by the driver.
    func stopElection() -> EventLoopFuture<Void> {
        loop.flatSubmit {
            guard let driver = self.election else { return self.loop.makeSucceededVoidFuture() }
            self.electionStopping = true
            self.elog("stopping: handing over")
            return driver.stop().hop(to: self.loop).map {
                self.election = nil
                self.electionOwnership(false)
            }
        }
    }

    /// A log line about the election, with `election.name` and `election.role`.
    func elog(_ message: String, role: String? = nil) {
        guard let e = config.election else { return }
        let role = role ?? electionStatus?.role.rawValue ?? "candidate"
        logger.info("\(message)", metadata: [LogKey.electionName: "\(e.name)", LogKey.electionRole: "\(role)"])
    }
}
