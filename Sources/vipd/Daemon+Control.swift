import BGPCodec
import BGPCodecJSON
import BGPSession
import BGPTransport
import NIOCore
import RIB
import VipdConfig

/// The control API's answers (interfaces.md, "Commands"). Every reader runs
/// on the loop, so it sees one consistent state.
extension Daemon {
    func neighbors() -> EventLoopFuture<JSONValue> {
        speaker.snapshot().map { peers in
            .array(peers.map { p in
                let n = p.negotiated
                let counts = self.ribIndex[p.peer].map { self.rib.counts($0) } ?? PeerRouteCounts()
                return .object([
                    ("address", .string(p.peer)),
                    ("asn", .int(p.asn)),
                    ("state", .string(p.state.rawValue)),
                    ("uptime_seconds", .int(p.uptimeSeconds)),
                    ("prefixes_received", .int(counts.total)),
                    ("prefixes_accepted", .int(counts.totalAccepted)),
                    ("prefixes_advertised", .int(self.out[p.peer]?.advertised.count ?? 0)),
                    ("capabilities", .array((n?.peerCapabilities ?? []).map { MessageJSON().capability($0) })),
                    ("last_error", self.lastError[p.peer].map { .string($0) } ?? .null),
                    ("messages_received", Self.messageCounts(p.received)),
                    ("messages_sent", Self.messageCounts(p.sent)),
                ])
            })
        }
    }

    static func messageCounts(_ c: [UInt64]) -> JSONValue {
        .object(zip(MessageTally.typeNames, c).dropFirst().map { ($0.0, .int($0.1)) })
    }

    /// `rib [--family F] [--peer ADDR] [--prefix P] [--in|--out]`: the
    /// Loc-RIB with every path (best marked), what peers sent (`--in`,
    /// before import policy, denied ones included) or what they were sent
    /// (`--out`).
    func ribJSON(_ args: [String]) -> EventLoopFuture<JSONValue> {
        loop.submit {
            let q = try RIBQuery(args)
            if q.out { return self.ribOut(q) }
            let peerIdx: UInt16? = try q.peer.map { p in
                guard let i = self.ribIndex[p] else { throw ControlError("\(p) is not a configured peer") }
                return i
            }
            let names = Dictionary(uniqueKeysWithValues: self.ribIndex.map { ($0.value, $0.key) })
            let views = self.rib.routes(family: q.family, peer: peerIdx, prefix: q.prefix)
            return .array(views.compactMap { v -> JSONValue? in
                if q.adjIn && v.peer == 0 { return nil }
                let attrs = q.adjIn ? v.attributes.learned : v.attributes.attributes
                var row = Self.routeRow(v.prefix, peer: v.peer == 0 ? "local" : names[v.peer] ?? "?", attrs, v.attributes.nextHop)
                row.append(("best", .bool(v.best)))
                row.append(("stale", .bool(v.path.isStale)))
                row.append(("accepted", .bool(v.path.isEligible)))
                if v.path.pathID != 0 { row.append(("path_id", .int(v.path.pathID))) }
                return .object(row)
            })
        }
    }

    private func ribOut(_ q: RIBQuery) -> JSONValue {
        var rows: [JSONValue] = []
        for peer in out.keys.sorted() where q.peer == nil || q.peer == peer {
            let o = out[peer]!
            for (prefix, a) in o.advertised.sorted(by: { $0.key.description < $1.key.description }) {
                if let f = q.family, prefix.family != f { continue }
                if let p = q.prefix, p != prefix { continue }
                let nh: NextHop = prefix.family == .ipv4Unicast
                    ? (o.session.nextHopIPv4.map { .ipv4($0) } ?? .opaque([]))
                    : (o.session.nextHopIPv6.map { .ipv6($0, linkLocal: o.session.nextHopIPv6LinkLocal) } ?? .opaque([]))
                var row = Self.routeRow(prefix, peer: peer, a, nh)
                row.append(("best", .bool(true)))
                rows.append(.object(row))
            }
        }
        return .array(rows)
    }

    static func routeRow(_ prefix: RoutePrefix, peer: String, _ attributes: PathAttributes, _ nextHop: NextHop) -> [(String, JSONValue)] {
        let a = MessageJSON().attributes(attributes)
        let nh: String
        switch nextHop {
        case .ipv4(let x): nh = x.description
        case .ipv6(let g, _): nh = g.description
        case .opaque: nh = ""
        }
        return [
            ("prefix", .string(prefix.description)), ("family", .string(prefix.family.description)),
            ("peer", .string(peer)), ("next_hop", .string(nh)),
            ("origin", a["origin"] ?? .null), ("as_path", flatPath(attributes.asPath ?? [])),
            ("med", a["med"] ?? .null), ("local_pref", a["local_pref"] ?? .null),
            ("communities", a["communities"] ?? .array([])),
            ("large_communities", a["large_communities"] ?? .array([])),
        ]
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
            .array(self.allVIPs.map { v, source in
                .object([
                    ("address", .string(v.address.description)), ("mode", .string(v.mode.rawValue)),
                    ("state", .string(self.vipState(v).rawValue)), ("source", .string(source)),
                ])
            })
        }
    }

    /// A VIP's state as `vips` shows it: what is in force, else why not.
    func vipState(_ v: VIPConfig) -> VIPState {
        let plan = gate.plan(v)
        switch v.mode {
        case .bgp:
            let sent = out.values.contains { $0.advertised[Self.hostPrefix(v.address)] != nil }
            if case .off(let s) = plan { return s }
            if case .advertise(let extra, _) = plan, extra > 0 { return sent ? .standby : .withdrawn }
            return sent ? .advertised : .withdrawn
        case .table:
            if case .off(let s) = plan { return s }
            return kernel?.tableOwned.contains(v.address) == true ? .owned : .down
        case .arp:
            if layer2?.owned.contains(v.address) == true { return .owned }
            if case .off(let s) = plan { return s }
            return .down
        }
    }

    /// `drain` and `undrain` (RFC 8326): every BGP VIP again with
    /// GRACEFUL_SHUTDOWN, and LOCAL_PREF 0 to iBGP peers; or back to normal.
    func drainCommand(_ on: Bool) -> EventLoopFuture<JSONValue> {
        loop.submit {
            self.setDrained(on)
            return .object([("drained", .bool(on)), ("bgp_vips", .int(self.originated.count))])
        }
    }

    func setDrained(_ on: Bool) {
        guard gate.drained != on else { return }
        gate.drained = on
        log(on ? "drained: VIPs re-advertised with GRACEFUL_SHUTDOWN (RFC 8326)" : "undrained: normal advertisements")
        syncVIPs()
    }

    /// `vip add ADDRESS [--mode M]`, `vip del ADDRESS`.
    func vipCommand(_ args: [String]) -> EventLoopFuture<JSONValue> {
        loop.submit {
            guard args.count >= 2, let address = IPAddress(args[1]) else { throw ControlError("usage: vip add|del ADDRESS [--mode bgp|arp|table]") }
            switch args[0] {
            case "add":
                var mode = VIPMode.bgp
                if let i = args.firstIndex(of: "--mode") {
                    guard i + 1 < args.count, let m = VIPMode(rawValue: args[i + 1]) else { throw ControlError("--mode is bgp, arp or table") }
                    mode = m
                }
                try self.addVIP(address, mode: mode)
            case "del":
                try self.deleteVIP(address)
            default:
                throw ControlError("usage: vip add|del ADDRESS")
            }
            return .object([("ok", .bool(true)), ("address", .string(address.description))])
        }
    }

    /// `peer reset ADDRESS [--soft]`.
    func peerCommand(_ args: [String]) -> EventLoopFuture<JSONValue> {
        guard args.count >= 2, args[0] == "reset", let address = IPAddress(args[1]) else {
            return loop.makeFailedFuture(ControlError("usage: peer reset ADDRESS [--soft]"))
        }
        let key = address.description
        return loop.submit { () -> Bool in
            guard self.ribIndex[key] != nil else { throw ControlError("\(key) is not a configured peer") }
            self.maxPrefixRestarts.removeValue(forKey: key)?.cancel()
            return args.contains("--soft")
        }.flatMap { soft in
            if soft {
                // Inbound: the peer sends its routes again (RFC 2918);
                // outbound: ours go out again.
                return self.speaker.requestRouteRefresh(key).flatMap { asked in
                    self.loop.submit {
                        if var o = self.out[key] {
                            o.enqueueAll(self.rib, resend: true)
                            self.out[key] = o
                            self.flush(key)
                        }
                        self.plog(key, "soft reset" + (asked ? ", route refresh sent" : "; the peer has no route refresh, sent ours only"))
                        return .object([("ok", .bool(true)), ("route_refresh_sent", .bool(asked))])
                    }
                }
            }
            self.plog(key, "hard reset requested")
            return self.speaker.resetPeer(key, message: "reset by vipctl").map { .object([("ok", .bool(true))]) }
        }
    }

    /// `debug peer ADDRESS on|off`.
    func debugCommand(_ args: [String]) -> EventLoopFuture<JSONValue> {
        loop.submit {
            guard args.count == 3, args[0] == "peer", let a = IPAddress(args[1]), args[2] == "on" || args[2] == "off" else {
                throw ControlError("usage: debug peer ADDRESS on|off")
            }
            guard self.ribIndex[a.description] != nil else { throw ControlError("\(a) is not a configured peer") }
            self.debugSwitches.set(peer: a.description, on: args[2] == "on")
            self.plog("\(a)", "debug logging \(args[2])")
            return .object([("peer", .string(a.description)), ("debug", .bool(args[2] == "on"))])
        }
    }
}

/// The arguments of `rib`.
struct RIBQuery {
    var family: AddressFamily?
    var peer: String?
    var prefix: RoutePrefix?
    var adjIn = false
    var out = false

    init(_ args: [String]) throws {
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw ControlError("\(args[i - 1]) needs a value") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--in": adjIn = true
            case "--out": out = true
            case "--family":
                switch try value() {
                case "ipv4-unicast": family = .ipv4Unicast
                case "ipv6-unicast": family = .ipv6Unicast
                case let f: throw ControlError("unknown family '\(f)': ipv4-unicast or ipv6-unicast")
                }
            case "--peer":
                let v = try value()
                guard let a = IPAddress(v) else { throw ControlError("--peer takes an address, not '\(v)'") }
                peer = a.description
            case "--prefix":
                let v = try value()
                if let p = IPv4Prefix(v) { prefix = .ipv4(p) } else if let p = IPv6Prefix(v) { prefix = .ipv6(p) } else {
                    throw ControlError("--prefix takes a prefix such as 10.0.0.0/24, not '\(v)'")
                }
            case let a: throw ControlError("unknown rib argument '\(a)'")
            }
            i += 1
        }
        if adjIn && out { throw ControlError("give --in or --out, not both") }
    }
}
