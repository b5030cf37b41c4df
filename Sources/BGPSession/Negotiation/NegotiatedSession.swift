import BGPCodec

/// What both OPENs agree on (RFC 4271 §4.2, RFC 5492 and each capability's
/// RFC). Built only by `negotiate`, from our OPEN and the peer's.
public struct NegotiatedSession: Hashable, Sendable {
    public var peerAS: UInt32
    public var peerRouterID: IPv4Address
    /// Seconds; 0 means no keepalives and no hold timer.
    public var holdTime: UInt16
    /// Seconds between our keepalives; 0 when holdTime is 0.
    public var keepaliveTime: UInt16
    /// Families both sides offered (RFC 4760 §8: IPv4 unicast when a side
    /// offers no Multiprotocol capability at all).
    public var families: [AddressFamily]
    public var fourOctetAS: Bool
    public var routeRefresh: Bool
    public var enhancedRouteRefresh: Bool
    public var extendedMessage: Bool
    /// RFC 7911: families whose NLRI carry path ids, per direction.
    public var addPathReceive: Set<AddressFamily>
    public var addPathSend: Set<AddressFamily>
    /// RFC 8950 entries both sides offered.
    public var extendedNextHop: [ExtendedNextHopEntry]
    /// The peer's RFC 4724 capability, when it sent one.
    public var peerGracefulRestart: GracefulRestart?
    /// Both sides offered graceful restart.
    public var gracefulRestart: Bool
    public var peerRole: UInt8?
    public var peerHostname: String?
    /// Everything the peer offered, for `vipctl neighbors`.
    public var peerCapabilities: [Capability]

    /// How to read what the peer sends.
    public var receiveContext: CodecContext {
        CodecContext(fourOctetAS: fourOctetAS, addPath: addPathReceive, extendedMessage: extendedMessage)
    }

    /// How to write what we send.
    public var sendContext: CodecContext {
        CodecContext(fourOctetAS: fourOctetAS, addPath: addPathSend, extendedMessage: extendedMessage)
    }
}

/// RFC 9234 §4.2: the role pairs that may peer.
public enum BGPRole: UInt8, Sendable, CaseIterable {
    case provider = 0, routeServer = 1, routeServerClient = 2, customer = 3, peer = 4

    func accepts(_ other: BGPRole) -> Bool {
        switch (self, other) {
        case (.provider, .customer), (.customer, .provider), (.routeServer, .routeServerClient),
             (.routeServerClient, .routeServer), (.peer, .peer):
            return true
        default:
            return false
        }
    }
}

extension NegotiatedSession {
    /// Checks the peer's OPEN against our configuration and our OPEN. The
    /// failure is the NOTIFICATION to send.
    public static func negotiate(config: SessionConfig, local: OpenMessage, remote: OpenMessage) -> Result<NegotiatedSession, NotificationMessage> {
        let rcaps = remote.capabilities
        let lcaps = local.capabilities
        // RFC 6793 §4.2: the 4-octet AS capability, when both offer it, is the AS.
        let remote4 = rcaps.contains { if case .fourOctetAS = $0 { true } else { false } }
        let local4 = lcaps.contains { if case .fourOctetAS = $0 { true } else { false } }
        let peerAS = remote4 ? remote.asn : UInt32(remote.myAS)
        guard peerAS == config.peerAS else {
            return .failure(NotificationMessage(.openMessage, OpenMessageSubcode.badPeerAS.rawValue,
                                                data: [UInt8(remote.myAS >> 8), UInt8(remote.myAS & 0xFF)]))
        }
        // RFC 6286 §2.2: an internal peer may not use our identifier.
        if config.isInternal && remote.identifier == config.routerID {
            return .failure(NotificationMessage(.openMessage, OpenMessageSubcode.badBGPIdentifier.rawValue))
        }
        // RFC 5492 §3: a capability we require and the peer lacks.
        let missing = config.requiredCapabilities.sorted().filter { code in !rcaps.contains { $0.code == code } }
        if !missing.isEmpty {
            // The Data field lists the capabilities we need (RFC 5492 §3).
            var data: [UInt8] = []
            for code in missing {
                let value = lcaps.first { $0.code == code }?.value ?? []
                data += [code, UInt8(value.count)] + value
            }
            return .failure(NotificationMessage(.openMessage, OpenMessageSubcode.unsupportedCapability.rawValue, data: data))
        }
        // RFC 9234 §4.2.
        var peerRole: UInt8? = nil
        for case .role(let r) in rcaps { peerRole = r }
        if let mine = config.role, let theirs = peerRole {
            guard let a = BGPRole(rawValue: mine), let b = BGPRole(rawValue: theirs), a.accepts(b) else {
                return .failure(NotificationMessage(.openMessage, OpenMessageSubcode.roleMismatch.rawValue))
            }
        }

        func families(_ caps: [Capability]) -> [AddressFamily] {
            let mp = caps.compactMap { if case .multiprotocol(let f) = $0 { f } else { nil } }
            return mp.isEmpty ? [.ipv4Unicast] : mp
        }
        let remoteFamilies = Set(families(rcaps))
        var seen = Set<AddressFamily>()
        let common = families(lcaps).filter { remoteFamilies.contains($0) && seen.insert($0).inserted }

        let hold = min(local.holdTime, remote.holdTime)
        var keepalive = hold / 3
        if let k = config.keepaliveTime, hold > 0 { keepalive = min(k, keepalive == 0 ? k : keepalive) }
        if hold > 0 && keepalive == 0 { keepalive = 1 }

        func has(_ caps: [Capability], _ code: UInt8) -> Bool { caps.contains { $0.code == code } }
        let rr = has(lcaps, 2) && (has(rcaps, 2) || has(rcaps, 128))
        let err = has(lcaps, 70) && has(rcaps, 70)
        let ext = has(lcaps, 6) && has(rcaps, 6)

        func addPath(_ caps: [Capability]) -> [AddressFamily: UInt8] {
            var out: [AddressFamily: UInt8] = [:]
            for case .addPath(let entries) in caps { for e in entries { out[e.family] = e.sendReceive } }
            return out
        }
        let lap = addPath(lcaps), rap = addPath(rcaps)
        var apReceive = Set<AddressFamily>(), apSend = Set<AddressFamily>()
        for f in common {
            if let l = lap[f], let r = rap[f] {
                if l & 1 != 0 && r & 2 != 0 { apReceive.insert(f) }
                if l & 2 != 0 && r & 1 != 0 { apSend.insert(f) }
            }
        }
        func enh(_ caps: [Capability]) -> [ExtendedNextHopEntry] {
            var out: [ExtendedNextHopEntry] = []
            for case .extendedNextHop(let e) in caps { out += e }
            return out
        }
        let renh = Set(enh(rcaps))
        let enhCommon = enh(lcaps).filter { renh.contains($0) }

        var peerGR: GracefulRestart? = nil
        for case .gracefulRestart(let g) in rcaps { peerGR = g }
        var host: String? = nil
        for case .fqdn(let h, _) in rcaps { host = String(decoding: h, as: UTF8.self) }

        return .success(NegotiatedSession(
            peerAS: peerAS, peerRouterID: remote.identifier, holdTime: hold, keepaliveTime: keepalive,
            families: common, fourOctetAS: local4 && remote4, routeRefresh: rr, enhancedRouteRefresh: err,
            extendedMessage: ext, addPathReceive: apReceive, addPathSend: apSend, extendedNextHop: enhCommon,
            peerGracefulRestart: peerGR, gracefulRestart: peerGR != nil && has(lcaps, 64),
            peerRole: peerRole, peerHostname: host, peerCapabilities: rcaps))
    }
}
