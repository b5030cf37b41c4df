import BGPCodec

/// BGP4MP / BGP4MP_ET subtypes (RFC 6396 §4.4, ADD-PATH ones RFC 8050 §3).
/// Unknown values are kept so a record can be reported; only the ones
/// named here decode.
public struct BGP4MPSubtype: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// RFC 6396 §4.4.1.
    public static let stateChange = BGP4MPSubtype(0)
    /// RFC 6396 §4.4.2.
    public static let message = BGP4MPSubtype(1)
    /// RFC 6396 §4.4.3.
    public static let messageAS4 = BGP4MPSubtype(4)
    /// RFC 6396 §4.4.4.
    public static let stateChangeAS4 = BGP4MPSubtype(5)
    /// RFC 6396 §4.4.5.
    public static let messageLocal = BGP4MPSubtype(6)
    /// RFC 6396 §4.4.6.
    public static let messageAS4Local = BGP4MPSubtype(7)
    /// RFC 8050 §3: the MESSAGE subtypes again, NLRI with path identifiers.
    public static let messageAddPath = BGP4MPSubtype(8)
    public static let messageAS4AddPath = BGP4MPSubtype(9)
    public static let messageLocalAddPath = BGP4MPSubtype(10)
    public static let messageAS4LocalAddPath = BGP4MPSubtype(11)

    /// The subtypes this codec reads and writes (2 and 3 are deprecated).
    public var isSupported: Bool { rawValue <= 11 && rawValue != 2 && rawValue != 3 }
    /// STATE_CHANGE and STATE_CHANGE_AS4 carry FSM states, not a message.
    public var isStateChange: Bool { self == .stateChange || self == .stateChangeAS4 }
    /// Peer AS and Local AS are 4 octets, and so are AS numbers in the
    /// message's AS_PATH and AGGREGATOR (RFC 6396 §4.4.3).
    public var hasFourOctetAS: Bool { [4, 5, 7, 9, 11].contains(rawValue) }
    /// The message was sent by the collector, not received (§4.4.5).
    public var isLocal: Bool { [6, 7, 10, 11].contains(rawValue) }
    /// NLRI carry RFC 7911 path identifiers (RFC 8050 §3).
    public var isAddPath: Bool { (8...11).contains(rawValue) }

    public var description: String {
        switch rawValue {
        case 0: return "STATE_CHANGE"
        case 1: return "MESSAGE"
        case 4: return "MESSAGE_AS4"
        case 5: return "STATE_CHANGE_AS4"
        case 6: return "MESSAGE_LOCAL"
        case 7: return "MESSAGE_AS4_LOCAL"
        case 8: return "MESSAGE_ADDPATH"
        case 9: return "MESSAGE_AS4_ADDPATH"
        case 10: return "MESSAGE_LOCAL_ADDPATH"
        case 11: return "MESSAGE_AS4_LOCAL_ADDPATH"
        default: return "subtype\(rawValue)"
        }
    }
}

/// BGP FSM states as numbered in RFC 6396 §4.4.1 (RFC 4271 §8.2.2).
public struct BGPFSMState: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let idle = BGPFSMState(rawValue: 1)
    public static let connect = BGPFSMState(rawValue: 2)
    public static let active = BGPFSMState(rawValue: 3)
    public static let openSent = BGPFSMState(rawValue: 4)
    public static let openConfirm = BGPFSMState(rawValue: 5)
    public static let established = BGPFSMState(rawValue: 6)
}

/// An IPv4 or IPv6 address.
public enum MRTIPAddress: Hashable, Sendable, CustomStringConvertible {
    case ipv4(IPv4Address)
    case ipv6(IPv6Address)

    public var description: String {
        switch self {
        case .ipv4(let a): return a.description
        case .ipv6(let a): return a.description
        }
    }
}

/// Peer IP and Local IP of one session; both have the family the record's
/// Address Family field names (RFC 6396 §4.4.1).
public enum BGP4MPAddresses: Hashable, Sendable {
    case ipv4(peer: IPv4Address, local: IPv4Address)
    case ipv6(peer: IPv6Address, local: IPv6Address)

    public var afi: AFI {
        switch self {
        case .ipv4: return .ipv4
        case .ipv6: return .ipv6
        }
    }

    public var peer: MRTIPAddress {
        switch self {
        case .ipv4(let p, _): return .ipv4(p)
        case .ipv6(let p, _): return .ipv6(p)
        }
    }

    public var local: MRTIPAddress {
        switch self {
        case .ipv4(_, let l): return .ipv4(l)
        case .ipv6(_, let l): return .ipv6(l)
        }
    }
}

/// The Message field of a BGP4MP or BGP4MP_ET record (RFC 6396 §4.4.1-
/// 4.4.6, RFC 8050 §3): who the session was between, and either one whole
/// BGP message (marker and header included) or an FSM state change.
public struct BGP4MPRecord: Hashable, Sendable {
    public enum Content: Hashable, Sendable {
        /// One BGP message, header included, as raw bytes.
        case message([UInt8])
        case stateChange(old: BGPFSMState, new: BGPFSMState)
    }

    public var subtype: BGP4MPSubtype
    /// 2 or 4 octets on the wire, by subtype.
    public var peerAS: UInt32
    public var localAS: UInt32
    public var interfaceIndex: UInt16
    public var addresses: BGP4MPAddresses
    public var content: Content

    public init(subtype: BGP4MPSubtype, peerAS: UInt32, localAS: UInt32, interfaceIndex: UInt16 = 0,
                addresses: BGP4MPAddresses, content: Content) {
        self.subtype = subtype
        self.peerAS = peerAS
        self.localAS = localAS
        self.interfaceIndex = interfaceIndex
        self.addresses = addresses
        self.content = content
    }

    /// The BGP message bytes, for the MESSAGE subtypes.
    public var message: [UInt8]? {
        if case .message(let m) = content { return m }
        return nil
    }

    /// The families whose NLRI carry path identifiers in an ADD-PATH
    /// subtype. MRT does not say which families the session negotiated
    /// ADD-PATH for, so every family BGPCodec decodes as prefixes.
    public static let addPathFamilies: Set<AddressFamily> = [.ipv4Unicast, .ipv6Unicast, .ipv4Multicast, .ipv6Multicast]

    /// The context to decode `message` with: 4-octet AS for the AS4
    /// subtypes (RFC 6396 §4.4.3), ADD-PATH for the RFC 8050 subtypes.
    /// MRT does not record RFC 8654 Extended Message; a message longer than
    /// 4096 bytes is taken as evidence the session negotiated it.
    public var codecContext: CodecContext {
        CodecContext(fourOctetAS: subtype.hasFourOctetAS,
                     addPath: subtype.isAddPath ? Self.addPathFamilies : [],
                     extendedMessage: (message?.count ?? 0) > BGPLimits.maxMessageLength)
    }

    /// Decodes the body of a BGP4MP or BGP4MP_ET record.
    public init(decoding record: MRTRecord) throws(MRTError) {
        guard record.type == .bgp4mp || record.type == .bgp4mpET else { throw .notBGP4MP(type: record.type) }
        self = try withBytes(record.body) { (buf) throws(MRTError) in
            try BGP4MPRecord.decode(subtype: BGP4MPSubtype(record.subtype), body: buf)
        }
    }

    /// Decodes a BGP4MP Message field (after any Microsecond Timestamp).
    public static func decode(subtype: BGP4MPSubtype, body: UnsafeRawBufferPointer) throws(MRTError) -> BGP4MPRecord {
        guard subtype.isSupported else { throw .unsupportedSubtype(subtype.rawValue) }
        var c = MRTCursor(body)
        let peerAS: UInt32, localAS: UInt32
        if subtype.hasFourOctetAS {
            peerAS = try c.u32("peer AS")
            localAS = try c.u32("local AS")
        } else {
            peerAS = UInt32(try c.u16("peer AS"))
            localAS = UInt32(try c.u16("local AS"))
        }
        let interfaceIndex = try c.u16("interface index")
        let afi = try c.u16("address family")
        let addresses: BGP4MPAddresses
        switch AFI(rawValue: afi) {
        case .ipv4:
            let peer = IPv4Address(try c.u32("peer IP"))
            addresses = .ipv4(peer: peer, local: IPv4Address(try c.u32("local IP")))
        case .ipv6:
            try c.need(16, "peer IP")
            let peer = IPv6Address(high: try c.u64("peer IP"), low: try c.u64("peer IP"))
            try c.need(16, "local IP")
            addresses = .ipv6(peer: peer, local: IPv6Address(high: try c.u64("local IP"), low: try c.u64("local IP")))
        default:
            throw .unsupportedAddressFamily(afi)
        }
        let content: Content
        if subtype.isStateChange {
            let old = BGPFSMState(rawValue: try c.u16("old state"))
            let new = BGPFSMState(rawValue: try c.u16("new state"))
            guard c.remaining == 0 else { throw .trailingBytes(count: c.remaining) }
            content = .stateChange(old: old, new: new)
        } else {
            content = .message(c.rest())
        }
        return BGP4MPRecord(subtype: subtype, peerAS: peerAS, localAS: localAS, interfaceIndex: interfaceIndex,
                            addresses: addresses, content: content)
    }

    /// The Message field's bytes: the inverse of `decode`.
    public func encodeBody() throws(MRTError) -> [UInt8] {
        guard subtype.isSupported else { throw .unsupportedSubtype(subtype.rawValue) }
        var out: [UInt8] = []
        out.reserveCapacity(48 + (message?.count ?? 0))
        if subtype.hasFourOctetAS {
            out.appendU32(peerAS)
            out.appendU32(localAS)
        } else {
            for asn in [peerAS, localAS] {
                guard asn <= UInt32(UInt16.max) else { throw .asNumberTooLarge(asn, subtype: subtype) }
                out.appendU16(UInt16(asn))
            }
        }
        out.appendU16(interfaceIndex)
        out.appendU16(addresses.afi.rawValue)
        switch addresses {
        case .ipv4(let p, let l):
            out.append(contentsOf: p.octets)
            out.append(contentsOf: l.octets)
        case .ipv6(let p, let l):
            out.append(contentsOf: p.octets)
            out.append(contentsOf: l.octets)
        }
        switch (content, subtype.isStateChange) {
        case (.stateChange(let old, let new), true):
            out.appendU16(old.rawValue)
            out.appendU16(new.rawValue)
        case (.message(let m), false):
            out.append(contentsOf: m)
        default:
            throw .contentMismatch(subtype: subtype)
        }
        return out
    }
}

extension MRTRecord {
    /// A BGP4MP record, or BGP4MP_ET when `microseconds` is given
    /// (RFC 6396 §3, §4.4).
    public init(timestamp: UInt32, microseconds: UInt32? = nil, bgp4mp: BGP4MPRecord) throws(MRTError) {
        self.init(timestamp: timestamp, microseconds: microseconds ?? 0,
                  type: microseconds == nil ? .bgp4mp : .bgp4mpET,
                  subtype: bgp4mp.subtype.rawValue, body: try bgp4mp.encodeBody())
    }
}
