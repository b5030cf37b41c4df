import BGPSession
import BGPTransport
import NIOCore
import RIB
import VipdConfig

/// SIGHUP and `vipctl reload`: the new config is diffed against the
/// running one. Only peers whose session settings changed are reset (Cease
/// 6, Other Configuration Change); policy, max-prefix, MRAI and VIP changes
/// apply in place; added peers start and removed ones stop (Cease 3).
extension Daemon {
    /// What a reload did, for the log and the control API's reply.
    struct ReloadSummary {
        var added: [String] = []
        var removed: [String] = []
        var reset: [String] = []
        var reevaluated: [String] = []
        var vips = 0
        var text: String {
            "reloaded: \(vips) BGP VIPs; peers added [\(added.joined(separator: " "))], removed [\(removed.joined(separator: " "))], "
                + "reset [\(reset.joined(separator: " "))], re-evaluated in place [\(reevaluated.joined(separator: " "))]"
        }
    }

    /// Runs on the loop.
    func apply(_ new: VipdConfig) -> ReloadSummary {
        let diff = ConfigDiff(old: config, new: new)
        let asnChanged = config.asn != new.asn
        let fibChanged = config.fib != new.fib
        let old = config
        config = new
        var summary = ReloadSummary()
        rib.decision.options = BestPathOptions(alwaysCompareMED: new.bestpath.alwaysCompareMED, multipath: new.bestpath.multipath)
        if asnChanged {
            // Every session resets (a session-wide change); start the RIB afresh.
            rib = LocRIB(localAS: new.asn ?? 0, decision: rib.decision)
            ribIndex = [:]
            originated = [:]
            for p in new.peers { addToRIB(p) }
        }
        for p in diff.peersRemoved {
            let key = p.address.description
            summary.removed.append(key)
            forget(key)
            if let idx = ribIndex.removeValue(forKey: key), !asnChanged { propagate(rib.removePeer(idx).bestChanged) }
            _ = speaker.removePeer(key, subcode: .peerDeconfigured, message: "removed from vipd's config")
        }
        for p in diff.peersToReset {
            let key = p.address.description
            summary.reset.append(key)
            if let idx = ribIndex[key] {
                rib.setInternal(idx, asn: p.asn)
                propagate(rib.setImportPolicy(idx, PolicyCompiler.importPolicy(p.importPolicy, new)).bestChanged)
            }
            guard let e = try? endpoint(p) else { continue }
            _ = speaker.removePeer(key, subcode: .otherConfigurationChange, message: "vipd config changed")
                .flatMap { self.speaker.addPeer(e) }
        }
        for p in diff.peersAdded {
            let key = p.address.description
            summary.added.append(key)
            if ribIndex[key] == nil { addToRIB(p) }
            metrics.registerPeer(key)
            if let e = try? endpoint(p) { _ = speaker.addPeer(e) }
        }
        for p in diff.peersToReevaluate {
            let key = p.address.description
            summary.reevaluated.append(key)
            if let idx = ribIndex[key] {
                propagate(rib.setImportPolicy(idx, PolicyCompiler.importPolicy(p.importPolicy, new)).bestChanged)
                checkMaxPrefix(key, idx)
            }
            if var o = out[key] {
                o.policy = PolicyCompiler.exportPolicy(p.exportPolicy, new)
                o.mrai = .seconds(Int64(p.mrai))
                o.enqueueAll(rib)
                out[key] = o
                flush(key)
            }
        }
        updateRecording()
        reconfigureGates(old: old)
        if old.realServer != new.realServer {
            stopRealServer()
            startRealServer()
        }
        if old.services != new.services {
            if ipvs == nil { startIPVS() } else {
                startBackendChecks()
                reconcileIPVS(reason: "reload")
            }
        }
        syncVIPs()
        updateCampaign()
        if fibChanged { kernel?.reinstallFIB(new.fib, rib: rib) }
        summary.vips = originated.count
        return summary
    }

    /// Layer 2, the health check and the election follow a reload: a new
    /// check starts from down (gated VIPs wait for `rise` successes); a new
    /// election's settings take effect after leaving the old one with a
    /// handover; a new interface takes the ARP VIPs from the old one.
    func reconfigureGates(old: VipdConfig) {
        if old.interface != config.interface {
            for a in layer2?.owned ?? [] { layer2?.release(a, reason: "interface changed") }
            layer2?.configure(config)
            layer2?.setLink(try? linkMonitor?.links().first { $0.name == config.interface })
            gate.linkUsable = layer2?.link?.isUsable ?? false
        } else if old.layer2 != config.layer2 {
            layer2?.configure(config)
        }
        if old.health != config.health {
            let h = config.health
            config.health = old.health
            stopHealth()
            config.health = h
            startHealth()
        }
        gate.electionConfigured = config.election != nil
        if old.election != config.election, let driver = election {
            electionStopping = true
            elog("election settings changed: leaving the election to join it again")
            driver.stop().whenComplete { [unowned self] _ in
                self.loop.execute {
                    self.election = nil
                    self.electionStopping = false
                    self.electionOwnership(false)
                    if let name = old.election?.name, name != self.config.election?.name { self.metrics.forgetElection(name) }
                    self.updateCampaign()
                }
            }
        }
    }

    /// Per-peer state that does not outlive the peer's config.
    func forget(_ key: String) {
        flushTimers.removeValue(forKey: key)?.cancel()
        staleTimers.removeValue(forKey: key)?.cancel()
        maxPrefixRestarts.removeValue(forKey: key)?.cancel()
        out[key] = nil
        negotiated[key] = nil
        lastError[key] = nil
        maxPrefixWarned.remove(key)
        debugSwitches.set(peer: key, on: false)
        metrics.forgetPeer(key)
        tallies[key] = nil
    }

    /// SIGHUP: a config with errors is refused and the running one stays.
    func reload(_ new: VipdConfig) {
        loop.execute { self.log(self.apply(new).text) }
    }

    /// `vipctl reload`: reads the file again; its errors come back to the caller.
    func reloadFromFile() -> EventLoopFuture<ReloadSummary> {
        switch Vipd.load(configPath) {
        case .failure(let e):
            log("reload refused, keeping the running config:\n" + e.message)
            return loop.makeFailedFuture(ControlError(e.message))
        case .success(let c):
            return loop.submit {
                let s = self.apply(c)
                self.log(s.text)
                return s
            }
        }
    }
}
