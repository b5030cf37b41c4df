/// A BGP capability (RFC 5492). Each known code is one case; any other is
/// kept whole as `.unknown`.
public enum Capability: Hashable, Sendable {
    case multiprotocol(AddressFamily)                       // 1, RFC 4760
    case routeRefresh                                       // 2, RFC 2918
    case extendedNextHop([ExtendedNextHopEntry])            // 5, RFC 8950
    case extendedMessage                                    // 6, RFC 8654
    case role(UInt8)                                        // 9, RFC 9234
    case gracefulRestart(GracefulRestart)                   // 64, RFC 4724
    case fourOctetAS(UInt32)                                // 65, RFC 6793
    case addPath([AddPathEntry])                            // 69, RFC 7911
    case enhancedRouteRefresh                               // 70, RFC 7313
    case longLivedGracefulRestart([LLGREntry])              // 71, RFC 9494
    case fqdn(hostname: [UInt8], domain: [UInt8])           // 73, draft-walton-bgp-hostname
    case unknown(code: UInt8, data: [UInt8])

    public enum Code: UInt8, Sendable {
        case multiprotocol = 1
        case routeRefresh = 2
        case extendedNextHop = 5
        case extendedMessage = 6
        case role = 9
        case gracefulRestart = 64
        case fourOctetAS = 65
        case addPath = 69
        case enhancedRouteRefresh = 70
        case longLivedGracefulRestart = 71
        case fqdn = 73
    }

    public var code: UInt8 {
        switch self {
        case .multiprotocol: return Code.multiprotocol.rawValue
        case .routeRefresh: return Code.routeRefresh.rawValue
        case .extendedNextHop: return Code.extendedNextHop.rawValue
        case .extendedMessage: return Code.extendedMessage.rawValue
        case .role: return Code.role.rawValue
        case .gracefulRestart: return Code.gracefulRestart.rawValue
        case .fourOctetAS: return Code.fourOctetAS.rawValue
        case .addPath: return Code.addPath.rawValue
        case .enhancedRouteRefresh: return Code.enhancedRouteRefresh.rawValue
        case .longLivedGracefulRestart: return Code.longLivedGracefulRestart.rawValue
        case .fqdn: return Code.fqdn.rawValue
        case .unknown(let code, _): return code
        }
    }
}

/// RFC 8950: NLRI of this AFI/SAFI may carry a next hop of `nextHopAFI`.
public struct ExtendedNextHopEntry: Hashable, Sendable {
    public var afi: AFI
    /// Two bytes on the wire, unlike everywhere else.
    public var safi: UInt16
    public var nextHopAFI: AFI
    public init(afi: AFI, safi: UInt16, nextHopAFI: AFI) {
        self.afi = afi
        self.safi = safi
        self.nextHopAFI = nextHopAFI
    }
}

/// RFC 4724 §3.
public struct GracefulRestart: Hashable, Sendable {
    /// The four high bits of the first byte: 0x8 Restart State (R), 0x4
    /// Notification (N, RFC 8538).
    public var flags: UInt8
    /// 12 bits, in seconds.
    public var restartTime: UInt16
    public var families: [Family]

    public struct Family: Hashable, Sendable {
        public var family: AddressFamily
        /// 0x80 is the Forwarding State bit; the rest are reserved.
        public var flags: UInt8
        public init(_ family: AddressFamily, forwarding: Bool) {
            self.family = family
            self.flags = forwarding ? 0x80 : 0
        }
        public init(family: AddressFamily, flags: UInt8) {
            self.family = family
            self.flags = flags
        }
        public var forwardingState: Bool { flags & 0x80 != 0 }
    }

    public init(flags: UInt8 = 0, restartTime: UInt16, families: [Family]) {
        self.flags = flags & 0x0F
        self.restartTime = restartTime & 0x0FFF
        self.families = families
    }

    public init(restarting: Bool, notification: Bool = false, restartTime: UInt16, families: [Family]) {
        self.init(flags: (restarting ? 0x8 : 0) | (notification ? 0x4 : 0), restartTime: restartTime, families: families)
    }

    public var restartState: Bool { flags & 0x8 != 0 }
    public var notification: Bool { flags & 0x4 != 0 }
}

/// RFC 7911 §4: 1 receive, 2 send, 3 both.
public struct AddPathEntry: Hashable, Sendable {
    public var family: AddressFamily
    public var sendReceive: UInt8
    public init(family: AddressFamily, sendReceive: UInt8) {
        self.family = family
        self.sendReceive = sendReceive
    }
    public var canReceive: Bool { sendReceive & 1 != 0 }
    public var canSend: Bool { sendReceive & 2 != 0 }
}

/// RFC 9494 §3.
public struct LLGREntry: Hashable, Sendable {
    public var family: AddressFamily
    /// 0x80 is the Forwarding State bit.
    public var flags: UInt8
    /// 24 bits, in seconds.
    public var staleTime: UInt32
    public init(family: AddressFamily, flags: UInt8, staleTime: UInt32) {
        self.family = family
        self.flags = flags
        self.staleTime = staleTime & 0xFF_FFFF
    }
    public var forwardingState: Bool { flags & 0x80 != 0 }
}

extension Capability {
    /// Decodes one capability value of the given code; nil when the value
    /// does not fit the code (RFC 4271 §6.2: a recognised but malformed
    /// optional parameter is an OPEN error, subcode 0).
    static func decode(code: UInt8, value: [UInt8]) -> Capability? {
        value.withUnsafeBytes { buf -> Capability? in
            var r = ByteReader(buf)
            guard let c = try? decodeFields(code: code, &r), r.isAtEnd else { return nil }
            return c
        }
    }

    /// Throws `Truncated` when fields are short; returns nil when a length
    /// is not a whole number of entries.
    private static func decodeFields(code: UInt8, _ r: inout ByteReader) throws(Truncated) -> Capability? {
        guard let known = Code(rawValue: code) else {
            return .unknown(code: code, data: r.rest())
        }
        switch known {
        case .multiprotocol:
            let afi = try r.u16()
            _ = try r.u8()  // reserved
            let safi = try r.u8()
            return .multiprotocol(AddressFamily(afi: afi, safi: safi))
        case .routeRefresh:
            return .routeRefresh
        case .extendedNextHop:
            guard r.remaining % 6 == 0 else { return nil }
            var entries: [ExtendedNextHopEntry] = []
            while !r.isAtEnd {
                entries.append(ExtendedNextHopEntry(afi: AFI(rawValue: try r.u16()), safi: try r.u16(), nextHopAFI: AFI(rawValue: try r.u16())))
            }
            return .extendedNextHop(entries)
        case .extendedMessage:
            return .extendedMessage
        case .role:
            return .role(try r.u8())
        case .gracefulRestart:
            let head = try r.u16()
            guard r.remaining % 4 == 0 else { return nil }
            var fams: [GracefulRestart.Family] = []
            while !r.isAtEnd {
                let afi = try r.u16()
                let safi = try r.u8()
                fams.append(.init(family: AddressFamily(afi: afi, safi: safi), flags: try r.u8()))
            }
            return .gracefulRestart(GracefulRestart(flags: UInt8(head >> 12), restartTime: head & 0x0FFF, families: fams))
        case .fourOctetAS:
            return .fourOctetAS(try r.u32())
        case .addPath:
            guard r.remaining % 4 == 0 else { return nil }
            var entries: [AddPathEntry] = []
            while !r.isAtEnd {
                let afi = try r.u16()
                let safi = try r.u8()
                entries.append(AddPathEntry(family: AddressFamily(afi: afi, safi: safi), sendReceive: try r.u8()))
            }
            return .addPath(entries)
        case .enhancedRouteRefresh:
            return .enhancedRouteRefresh
        case .longLivedGracefulRestart:
            guard r.remaining % 7 == 0 else { return nil }
            var entries: [LLGREntry] = []
            while !r.isAtEnd {
                let afi = try r.u16()
                let safi = try r.u8()
                let flags = try r.u8()
                entries.append(LLGREntry(family: AddressFamily(afi: afi, safi: safi), flags: flags, staleTime: try r.u24()))
            }
            return .longLivedGracefulRestart(entries)
        case .fqdn:
            let hl = try r.u8()
            let host = try r.bytes(Int(hl))
            let dl = try r.u8()
            return .fqdn(hostname: host, domain: try r.bytes(Int(dl)))
        }
    }

    /// The capability's value bytes (without code and length).
    public var value: [UInt8] {
        var w = ByteWriter(capacity: 16)
        switch self {
        case .multiprotocol(let f):
            w.u16(f.afi.rawValue); w.u8(0); w.u8(f.safi.rawValue)
        case .routeRefresh, .extendedMessage, .enhancedRouteRefresh:
            break
        case .extendedNextHop(let entries):
            for e in entries { w.u16(e.afi.rawValue); w.u16(e.safi); w.u16(e.nextHopAFI.rawValue) }
        case .role(let r):
            w.u8(r)
        case .gracefulRestart(let gr):
            w.u16(UInt16(gr.flags & 0x0F) << 12 | gr.restartTime & 0x0FFF)
            for f in gr.families { w.u16(f.family.afi.rawValue); w.u8(f.family.safi.rawValue); w.u8(f.flags) }
        case .fourOctetAS(let asn):
            w.u32(asn)
        case .addPath(let entries):
            for e in entries { w.u16(e.family.afi.rawValue); w.u8(e.family.safi.rawValue); w.u8(e.sendReceive) }
        case .longLivedGracefulRestart(let entries):
            for e in entries { w.u16(e.family.afi.rawValue); w.u8(e.family.safi.rawValue); w.u8(e.flags); w.u24(e.staleTime) }
        case .fqdn(let host, let domain):
            let h = host.prefix(255), d = domain.prefix(255)
            w.u8(UInt8(h.count)); w.append(h); w.u8(UInt8(d.count)); w.append(d)
        case .unknown(_, let data):
            w.append(data.prefix(255))
        }
        return w.bytes
    }
}
