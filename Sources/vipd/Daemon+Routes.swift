import BGPCodec
import BGPSession
import NIOCore
import RIB
import VipdConfig

/// VIPs into the Loc-RIB, changes out to the peers, and max-prefix.
extension Daemon {
    /// A VIP as the route that carries it: /32 or /128.
    static func hostPrefix(_ address: IPAddress) -> RoutePrefix {
        switch address {
        case .v4(let a): return .ipv4(IPv4Prefix(a, 32))
        case .v6(let a): return .ipv6(IPv6Prefix(a, 128))
        }
    }

    /// Every VIP in force: the config's, then the runtime ones it lacks.
    var allVIPs: [(VIPConfig, source: String)] {
        let configured = Set(config.vips.map(\.address))
        return config.vips.map { ($0, "config") } + runtimeVIPs.filter { !configured.contains($0.address) }.map { ($0, "runtime") }
    }

    /// Brings the Loc-RIB's own routes in line with the BGP VIPs, and
    /// sends what changed.
    func syncVIPs() {
        var wanted: [RoutePrefix: VIPRoute] = [:]
        let vips = allVIPs.map(\.0)
        for v in vips where v.mode == .bgp {
            if let r = GateState.route(v, gate.plan(v)) { wanted[Self.hostPrefix(v.address)] = r }
        }
        var changed: [RoutePrefix] = []
        for (prefix, _) in originated where wanted[prefix] == nil {
            changed += rib.withdrawOriginated(prefix).bestChanged
        }
        for (prefix, route) in wanted where originated[prefix] != route {
            changed += rib.originate(prefix, attributes: route.originated(localAS: config.asn ?? 0), nextHop: .opaque([])).bestChanged
        }
        originated = wanted
        // The UPDATEs leave first: netlink work (an address on lo, a table
        // dump) would otherwise sit in front of them. Nothing can arrive
        // for a new VIP before the router has processed the UPDATE, by
        // which time the address is long in place.
        propagate(changed)
        syncLayer2(vips)
        kernel?.syncVIPs(vips.filter { $0.mode != .arp && gate.plan($0).isOn }, config: config)
        refreshVIPMetrics()
    }

    /// Queues changed prefixes for every established peer and flushes
    /// those whose MRAI allows it now; the others get a timer.
    func propagate(_ prefixes: [RoutePrefix]) {
        guard !prefixes.isEmpty else { return }
        kernel?.updateFIB(prefixes, rib: rib)
        // A send may end a session at once (a full queue), which removes
        // its Adj-RIB-Out while this loop runs: look each one up again.
        for peer in Array(out.keys) {
            guard let o = out[peer] else { continue }
            // A `vips` peer is sent only our own routes; learned ones never change them.
            if case .vips = o.policy, !prefixes.contains(where: { originated[$0] != nil || o.advertised[$0] != nil }) {
                continue
            }
            out[peer]?.enqueue(prefixes)
            flush(peer)
        }
    }

    func flush(_ peer: String) {
        guard var o = out[peer] else { return }
        let t = now()
        guard let due = o.due(now: t) else { return }
        if due <= t {
            let msgs = o.flush(rib, now: t)
            out[peer] = o
            if !msgs.isEmpty { speaker.send(updates: msgs, to: peer) }
        } else if flushTimers[peer] == nil {
            flushTimers[peer] = loop.scheduleTask(in: .nanoseconds(due.nanoseconds - t.nanoseconds)) { [unowned self] in
                self.flushTimers[peer] = nil
                self.flush(peer)
            }
        }
    }

    /// RFC 4486: more prefixes than `max_prefix.limit` end the session
    /// with Cease/Maximum Number of Prefixes Reached; `restart` brings it
    /// back after `restart_after`, `teardown` waits for `vipctl peer reset`.
    func checkMaxPrefix(_ peer: String, _ idx: UInt16) {
        guard let mp = peerConfig(peer)?.maxPrefix else { return }
        let n = rib.counts(idx).total
        let warnAt = Int(mp.limit) * Int(mp.warningPercent) / 100
        if n >= warnAt, n <= Int(mp.limit), maxPrefixWarned.insert(peer).inserted {
            plog(peer, "warning: \(n) prefixes, \(mp.warningPercent)% of max_prefix \(mp.limit)")
        } else if n < warnAt {
            maxPrefixWarned.remove(peer)
        }
        guard n > Int(mp.limit), maxPrefixTripped.insert(peer).inserted else { return }
        plog(peer, "\(n) prefixes exceed max_prefix \(mp.limit): Cease/Maximum Number of Prefixes Reached, \(mp.action.rawValue)")
        maxPrefixWarned.remove(peer)
        _ = speaker.stopPeer(peer, subcode: .maximumPrefixesReached)
        if mp.action == .restart {
            maxPrefixRestarts[peer]?.cancel()
            maxPrefixRestarts[peer] = loop.scheduleTask(in: .seconds(Int64(mp.restartAfter))) { [unowned self] in
                self.maxPrefixRestarts[peer] = nil
                self.plog(peer, "max_prefix restart_after over, starting again")
                self.speaker.startPeer(peer)
            }
        }
    }

    // MARK: runtime VIPs

    /// `vipctl vip add`: a VIP until the next restart, over reloads.
    func addVIP(_ address: IPAddress, mode: VIPMode) throws {
        if mode == .arp, layer2 == nil {
            throw ControlError("layer 2 is unavailable on this node (no interface, or no AF_PACKET/netlink); see the log")
        }
        if allVIPs.contains(where: { $0.0.address == address }) { throw ControlError("\(address) is already a VIP") }
        var v = VIPConfig(address: address, mode: mode)
        // As a config entry would be: gated on health when a check is set,
        // and elected when an election is.
        v.health = config.health != nil
        v.elected = mode == .arp && config.election != nil
        runtimeVIPs.append(v)
        syncVIPs()
        updateCampaign()
        vlog(address, mode: mode, "vip added at run time")
    }

    func deleteVIP(_ address: IPAddress) throws {
        guard let i = runtimeVIPs.firstIndex(where: { $0.address == address }) else {
            if config.vips.contains(where: { $0.address == address }) {
                throw ControlError("\(address) is in the config file; remove it there and reload")
            }
            throw ControlError("\(address) is not a VIP")
        }
        let mode = runtimeVIPs.remove(at: i).mode
        syncVIPs()
        vlog(address, mode: mode, "vip deleted at run time")
    }
}

/// A control request that cannot be done, with the reason for the operator.
struct ControlError: Error, CustomStringConvertible {
    var description: String
    init(_ s: String) { description = s }
}
