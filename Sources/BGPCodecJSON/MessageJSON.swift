import BGPCodec

/// Renders decode results as the JSON of `vipctl decode`
/// (../shared/design/interfaces.md, "vipctl decode JSON, complete").
public struct MessageJSON: Sendable {
    /// With ADD-PATH, prefixes print as {prefix, path_id}.
    public var addPath: Bool

    public init(addPath: Bool = false) {
        self.addPath = addPath
    }

    /// `headerType` is the type byte's meaning when the header was read but
    /// failed its length check, so that the error line can say which
    /// message it was.
    public func render(_ result: DecodeResult, headerType: MessageType? = nil) -> JSONValue {
        switch result {
        case .message(let m):
            return message(m)
        case .treatAsWithdraw(let u, let f):
            return .object([
                ("type", .string("UPDATE")),
                ("error", error(.update(f))),
                ("withdrawn", .array(allPrefixes(of: u))),
            ])
        case .afiSafiDisable(let family, _, let f):
            return .object([
                ("type", .string("UPDATE")),
                ("error", error(.update(f))),
                ("afi", .int(family.afi.rawValue)),
                ("safi", .int(family.safi.rawValue)),
            ])
        case .failure(let f):
            var o: [(String, JSONValue)] = [("error", error(f))]
            if let t = f.messageType ?? headerType { o.insert(("type", .string(t.name)), at: 0) }
            return .object(o)
        }
    }

    public func error(_ f: MessageFault) -> JSONValue {
        let n = f.notification
        return .object([
            ("code", .int(n.code)),
            ("subcode", .int(n.subcode)),
            ("action", .string(f.action.name)),
        ])
    }

    public func message(_ m: BGPMessage) -> JSONValue {
        switch m {
        case .keepalive:
            return .object([("type", .string("KEEPALIVE"))])
        case .open(let o):
            return open(o)
        case .update(let u):
            return update(u)
        case .notification(let n):
            var o: [(String, JSONValue)] = [
                ("type", .string("NOTIFICATION")),
                ("code", .int(n.code)),
                ("subcode", .int(n.subcode)),
                ("data", .string(hexString(n.data))),
            ]
            if let s = n.shutdownMessage { o.append(("shutdown_message", .string(s))) }
            return .object(o)
        case .routeRefresh(let r):
            return .object([
                ("type", .string("ROUTE-REFRESH")),
                ("afi", .int(r.afi.rawValue)),
                ("safi", .int(r.safi.rawValue)),
                ("subtype", .int(r.subtype)),
            ])
        }
    }

    // MARK: OPEN

    public func open(_ o: OpenMessage) -> JSONValue {
        .object([
            ("type", .string("OPEN")),
            ("version", .int(o.version)),
            ("asn", .int(o.asn)),
            ("hold_time", .int(o.holdTime)),
            ("router_id", .string(o.identifier.description)),
            ("capabilities", .array(o.capabilities.map(capability))),
        ])
    }

    public func capability(_ c: Capability) -> JSONValue {
        var o: [(String, JSONValue)] = [("code", .int(c.code)), ("length", .int(c.value.count))]
        func fam(_ f: AddressFamily) -> [(String, JSONValue)] {
            [("afi", .int(f.afi.rawValue)), ("safi", .int(f.safi.rawValue))]
        }
        switch c {
        case .multiprotocol(let f):
            o += fam(f)
        case .routeRefresh, .extendedMessage, .enhancedRouteRefresh:
            break
        case .extendedNextHop(let entries):
            o.append(("afi_safi", .array(entries.map {
                .array([.int($0.afi.rawValue), .int($0.safi), .int($0.nextHopAFI.rawValue)])
            })))
        case .role(let r):
            o.append(("role", .int(r)))
        case .gracefulRestart(let gr):
            o.append(("restart_time", .int(gr.restartTime)))
            o.append(("restart_flag", .bool(gr.restartState)))
            o.append(("notification_flag", .bool(gr.notification)))
            o.append(("families", .array(gr.families.map {
                .object(fam($0.family) + [("forwarding", .bool($0.forwardingState))])
            })))
        case .fourOctetAS(let a):
            o.append(("asn", .int(a)))
        case .addPath(let entries):
            o.append(("add_path", .array(entries.map {
                .object(fam($0.family) + [("send_receive", .int($0.sendReceive))])
            })))
        case .longLivedGracefulRestart(let entries):
            o.append(("families", .array(entries.map {
                .object(fam($0.family) + [("forwarding", .bool($0.forwardingState)), ("stale_time", .int($0.staleTime))])
            })))
        case .fqdn(let host, let domain):
            o.append(("hostname", .string(String(decoding: host, as: UTF8.self))))
            o.append(("domain", .string(String(decoding: domain, as: UTF8.self))))
        case .unknown(_, let data):
            o.append(("data", .string(hexString(data))))
        }
        return .object(o)
    }

    // MARK: UPDATE

    public func update(_ u: UpdateMessage) -> JSONValue {
        var o: [(String, JSONValue)] = [
            ("type", .string("UPDATE")),
            ("withdrawn", .array(u.withdrawn.map(prefix))),
            ("nlri", .array(u.nlri.map(prefix))),
            ("attributes", attributes(u.attributes)),
        ]
        if !u.wire.discarded.isEmpty {
            o.append(("discarded", .array(u.wire.discarded.map { .int($0) })))
        }
        return .object(o)
    }

    public func prefix(_ p: IPv4Prefix) -> JSONValue {
        addPath ? .object([("prefix", .string(p.description)), ("path_id", .int(p.pathID))]) : .string(p.description)
    }

    public func prefix(_ p: IPv6Prefix) -> JSONValue {
        addPath ? .object([("prefix", .string(p.description)), ("path_id", .int(p.pathID))]) : .string(p.description)
    }

    func prefixes(_ p: MPPrefixes) -> [JSONValue] {
        switch p {
        case .ipv4(let l): return l.map(prefix)
        case .ipv6(let l): return l.map(prefix)
        case .opaque: return []
        }
    }

    /// Every NLRI of an UPDATE, as treat-as-withdraw handles them.
    func allPrefixes(of u: UpdateMessage) -> [JSONValue] {
        var out = u.withdrawn.map(prefix) + u.nlri.map(prefix)
        if let r = u.attributes.mpReach { out += prefixes(r.nlri) }
        if let w = u.attributes.mpUnreach { out += prefixes(w.withdrawn) }
        return out
    }

    func asPath(_ p: [ASPathSegment]) -> JSONValue {
        .array(p.map { .object([("type", .string($0.kind.name)), ("asns", .array($0.asns.map { .int($0) }))]) })
    }

    func aggregator(_ a: Aggregator) -> JSONValue {
        .object([("asn", .int(a.asn)), ("address", .string(a.address.description))])
    }

    public func attributes(_ a: PathAttributes) -> JSONValue {
        var o: [(String, JSONValue)] = []
        if let v = a.origin { o.append(("origin", .string(v.name))) }
        if let v = a.asPath { o.append(("as_path", asPath(v))) }
        if let v = a.nextHop { o.append(("next_hop", .string(v.description))) }
        if let v = a.med { o.append(("med", .int(v))) }
        if let v = a.localPref { o.append(("local_pref", .int(v))) }
        if a.atomicAggregate { o.append(("atomic_aggregate", .bool(true))) }
        if let v = a.aggregator { o.append(("aggregator", aggregator(v))) }
        if let v = a.communities {
            o.append(("communities", .array(v.map { .string("\($0 >> 16):\($0 & 0xFFFF)") })))
        }
        if let v = a.originatorID { o.append(("originator_id", .string(v.description))) }
        if let v = a.clusterList { o.append(("cluster_list", .array(v.map { .string($0.description) }))) }
        if let v = a.mpReach {
            var m: [(String, JSONValue)] = [("afi", .int(v.family.afi.rawValue)), ("safi", .int(v.family.safi.rawValue))]
            switch v.nextHop {
            case .ipv4(let nh): m.append(("next_hop", .array([.string(nh.description)])))
            case .ipv6(let g, let ll): m.append(("next_hop", .array([.string(g.description)] + (ll.map { [.string($0.description)] } ?? []))))
            case .opaque(let b): m.append(("next_hop_data", .string(hexString(b))))
            }
            m.append(("nlri", .array(prefixes(v.nlri))))
            if case .opaque(let b) = v.nlri { m.append(("unsupported", .bool(true))); m.append(("nlri_data", .string(hexString(b)))) }
            o.append(("mp_reach", .object(m)))
        }
        if let v = a.mpUnreach {
            var m: [(String, JSONValue)] = [("afi", .int(v.family.afi.rawValue)), ("safi", .int(v.family.safi.rawValue))]
            m.append(("withdrawn", .array(prefixes(v.withdrawn))))
            if case .opaque(let b) = v.withdrawn { m.append(("unsupported", .bool(true))); m.append(("withdrawn_data", .string(hexString(b)))) }
            o.append(("mp_unreach", .object(m)))
        }
        if let v = a.extendedCommunities {
            o.append(("extended_communities", .array(v.map { c in
                let h = String(c, radix: 16)
                return .string(String(repeating: "0", count: 16 - h.count) + h)
            })))
        }
        if let v = a.as4Path { o.append(("as4_path", asPath(v))) }
        if let v = a.as4Aggregator { o.append(("as4_aggregator", aggregator(v))) }
        if let v = a.largeCommunities { o.append(("large_communities", .array(v.map { .string($0.description) }))) }
        if let v = a.otc { o.append(("otc", .int(v))) }
        if !a.unknown.isEmpty {
            o.append(("unknown", .array(a.unknown.map {
                .object([("code", .int($0.code)), ("flags", .int($0.flags)), ("data", .string(hexString($0.data)))])
            })))
        }
        return .object(o)
    }
}

extension MessageFault {
    /// The message type, when the header was read far enough to know it.
    public var messageType: MessageType? {
        switch self {
        case .header: return nil
        case .open: return .open
        case .update: return .update
        case .routeRefresh: return .routeRefresh
        }
    }
}
