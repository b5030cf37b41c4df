/// ORIGIN values (RFC 4271 §5.1.1).
public enum Origin: UInt8, Hashable, Sendable, CaseIterable {
    case igp = 0
    case egp = 1
    case incomplete = 2

    public var name: String {
        switch self {
        case .igp: return "igp"
        case .egp: return "egp"
        case .incomplete: return "incomplete"
        }
    }
}

/// One AS_PATH or AS4_PATH segment (RFC 4271 §4.3, RFC 5065).
public struct ASPathSegment: Hashable, Sendable {
    public enum Kind: UInt8, Hashable, Sendable, CaseIterable {
        case set = 1
        case sequence = 2
        case confedSequence = 3
        case confedSet = 4

        public var name: String {
            switch self {
            case .set: return "set"
            case .sequence: return "sequence"
            case .confedSequence: return "confed_sequence"
            case .confedSet: return "confed_set"
            }
        }
    }

    public var kind: Kind
    public var asns: [UInt32]

    public init(_ kind: Kind, _ asns: [UInt32]) {
        self.kind = kind
        self.asns = asns
    }
}

/// AGGREGATOR or AS4_AGGREGATOR.
public struct Aggregator: Hashable, Sendable {
    public var asn: UInt32
    public var address: IPv4Address
    public init(asn: UInt32, address: IPv4Address) {
        self.asn = asn
        self.address = address
    }
}

/// RFC 8092 large community.
public struct LargeCommunity: Hashable, Sendable, CustomStringConvertible {
    public var global: UInt32
    public var local1: UInt32
    public var local2: UInt32
    public init(_ global: UInt32, _ local1: UInt32, _ local2: UInt32) {
        self.global = global
        self.local1 = local1
        self.local2 = local2
    }
    public var description: String { "\(global):\(local1):\(local2)" }
}

/// An attribute this codec does not interpret, kept with its flags. The
/// Extended Length bit is a matter of encoding, not of the value: the
/// decoder clears it and the encoder sets it when the data needs it.
public struct UnknownAttribute: Hashable, Sendable {
    public var flags: UInt8
    public var code: UInt8
    public var data: [UInt8]
    public init(flags: UInt8, code: UInt8, data: [UInt8]) {
        self.flags = flags
        self.code = code
        self.data = data
    }
    public var isTransitive: Bool { flags & AttributeFlags.transitive != 0 }
}

/// A next hop in MP_REACH_NLRI (RFC 4760 §3, RFC 2545 §3, RFC 8950).
public enum NextHop: Hashable, Sendable {
    case ipv4(IPv4Address)
    /// A global address, optionally followed by a link-local one (32 bytes).
    /// The global part may be `::` when only the link-local is meaningful.
    case ipv6(IPv6Address, linkLocal: IPv6Address?)
    /// A family this codec keeps opaque.
    case opaque([UInt8])
}

/// The NLRI of one family inside MP_REACH or MP_UNREACH.
public enum MPPrefixes: Hashable, Sendable {
    case ipv4([IPv4Prefix])
    case ipv6([IPv6Prefix])
    /// A family this codec keeps opaque: the bytes as received.
    case opaque([UInt8])

    public var count: Int {
        switch self {
        case .ipv4(let p): return p.count
        case .ipv6(let p): return p.count
        case .opaque: return 0
        }
    }

    public var isEmpty: Bool {
        switch self {
        case .ipv4(let p): return p.isEmpty
        case .ipv6(let p): return p.isEmpty
        case .opaque(let b): return b.isEmpty
        }
    }
}

/// RFC 4760 §3.
public struct MPReach: Hashable, Sendable {
    public var family: AddressFamily
    public var nextHop: NextHop
    public var nlri: MPPrefixes
    /// RFC 4760's reserved byte (an SNPA count in RFC 2858); 0 when sent.
    public var reserved: UInt8

    public init(family: AddressFamily, nextHop: NextHop, nlri: MPPrefixes, reserved: UInt8 = 0) {
        self.family = family
        self.nextHop = nextHop
        self.nlri = nlri
        self.reserved = reserved
    }
}

/// RFC 4760 §4.
public struct MPUnreach: Hashable, Sendable {
    public var family: AddressFamily
    public var withdrawn: MPPrefixes
    public init(family: AddressFamily, withdrawn: MPPrefixes) {
        self.family = family
        self.withdrawn = withdrawn
    }
}

/// The path attributes of one UPDATE. An absent attribute is `nil`.
///
/// A value type whose fields live in one copy-on-write box: an UPDATE's
/// attributes are handed from decoder to session to RIB, and a copy is then
/// one reference count instead of one per array field. The RIB interns these.
public struct PathAttributes: Hashable, Sendable {
    struct Fields: Hashable, Sendable {
        var origin: Origin? = nil
        var asPath: [ASPathSegment]? = nil
        var nextHop: IPv4Address? = nil
        var med: UInt32? = nil
        var localPref: UInt32? = nil
        var atomicAggregate: Bool = false
        var aggregator: Aggregator? = nil
        var communities: [UInt32]? = nil
        var originatorID: IPv4Address? = nil
        var clusterList: [IPv4Address]? = nil
        var mpReach: MPReach? = nil
        var mpUnreach: MPUnreach? = nil
        var extendedCommunities: [UInt64]? = nil
        var as4Path: [ASPathSegment]? = nil
        var as4Aggregator: Aggregator? = nil
        var largeCommunities: [LargeCommunity]? = nil
        var otc: UInt32? = nil
        var unknown: [UnknownAttribute] = []
    }

    final class Box: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    private mutating func mutate(_ change: (inout Fields) -> Void) {
        if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
        change(&box.fields)
    }

    public var origin: Origin? {
        get { box.fields.origin }
        set { mutate { $0.origin = newValue } }
    }

    public var asPath: [ASPathSegment]? {
        get { box.fields.asPath }
        set { mutate { $0.asPath = newValue } }
    }

    public var nextHop: IPv4Address? {
        get { box.fields.nextHop }
        set { mutate { $0.nextHop = newValue } }
    }

    public var med: UInt32? {
        get { box.fields.med }
        set { mutate { $0.med = newValue } }
    }

    public var localPref: UInt32? {
        get { box.fields.localPref }
        set { mutate { $0.localPref = newValue } }
    }

    public var atomicAggregate: Bool {
        get { box.fields.atomicAggregate }
        set { mutate { $0.atomicAggregate = newValue } }
    }

    public var aggregator: Aggregator? {
        get { box.fields.aggregator }
        set { mutate { $0.aggregator = newValue } }
    }

    public var communities: [UInt32]? {
        get { box.fields.communities }
        set { mutate { $0.communities = newValue } }
    }

    public var originatorID: IPv4Address? {
        get { box.fields.originatorID }
        set { mutate { $0.originatorID = newValue } }
    }

    public var clusterList: [IPv4Address]? {
        get { box.fields.clusterList }
        set { mutate { $0.clusterList = newValue } }
    }

    public var mpReach: MPReach? {
        get { box.fields.mpReach }
        set { mutate { $0.mpReach = newValue } }
    }

    public var mpUnreach: MPUnreach? {
        get { box.fields.mpUnreach }
        set { mutate { $0.mpUnreach = newValue } }
    }

    public var extendedCommunities: [UInt64]? {
        get { box.fields.extendedCommunities }
        set { mutate { $0.extendedCommunities = newValue } }
    }

    public var as4Path: [ASPathSegment]? {
        get { box.fields.as4Path }
        set { mutate { $0.as4Path = newValue } }
    }

    public var as4Aggregator: Aggregator? {
        get { box.fields.as4Aggregator }
        set { mutate { $0.as4Aggregator = newValue } }
    }

    public var largeCommunities: [LargeCommunity]? {
        get { box.fields.largeCommunities }
        set { mutate { $0.largeCommunities = newValue } }
    }

    public var otc: UInt32? {
        get { box.fields.otc }
        set { mutate { $0.otc = newValue } }
    }

    public var unknown: [UnknownAttribute] {
        get { box.fields.unknown }
        set { mutate { $0.unknown = newValue } }
    }

    public init(origin: Origin? = nil, asPath: [ASPathSegment]? = nil, nextHop: IPv4Address? = nil,
                med: UInt32? = nil, localPref: UInt32? = nil, atomicAggregate: Bool = false,
                aggregator: Aggregator? = nil, communities: [UInt32]? = nil, originatorID: IPv4Address? = nil,
                clusterList: [IPv4Address]? = nil, mpReach: MPReach? = nil, mpUnreach: MPUnreach? = nil,
                extendedCommunities: [UInt64]? = nil, as4Path: [ASPathSegment]? = nil,
                as4Aggregator: Aggregator? = nil, largeCommunities: [LargeCommunity]? = nil,
                otc: UInt32? = nil, unknown: [UnknownAttribute] = []) {
        box = Box(Fields())
        box.fields.origin = origin
        box.fields.asPath = asPath
        box.fields.nextHop = nextHop
        box.fields.med = med
        box.fields.localPref = localPref
        box.fields.atomicAggregate = atomicAggregate
        box.fields.aggregator = aggregator
        box.fields.communities = communities
        box.fields.originatorID = originatorID
        box.fields.clusterList = clusterList
        box.fields.mpReach = mpReach
        box.fields.mpUnreach = mpUnreach
        box.fields.extendedCommunities = extendedCommunities
        box.fields.as4Path = as4Path
        box.fields.as4Aggregator = as4Aggregator
        box.fields.largeCommunities = largeCommunities
        box.fields.otc = otc
        box.fields.unknown = unknown
    }

    public static func == (a: PathAttributes, b: PathAttributes) -> Bool {
        a.box === b.box || a.box.fields == b.box.fields
    }

    public func hash(into h: inout Hasher) { h.combine(box.fields) }

    /// True when no attribute at all is present.
    public var isEmpty: Bool { presentCodes.isEmpty }

    /// The codes of the attributes present, known and unknown.
    public var presentCodes: [UInt8] {
        var c: [UInt8] = []
        if origin != nil { c.append(AttributeCode.origin) }
        if asPath != nil { c.append(AttributeCode.asPath) }
        if nextHop != nil { c.append(AttributeCode.nextHop) }
        if med != nil { c.append(AttributeCode.med) }
        if localPref != nil { c.append(AttributeCode.localPref) }
        if atomicAggregate { c.append(AttributeCode.atomicAggregate) }
        if aggregator != nil { c.append(AttributeCode.aggregator) }
        if communities != nil { c.append(AttributeCode.communities) }
        if originatorID != nil { c.append(AttributeCode.originatorID) }
        if clusterList != nil { c.append(AttributeCode.clusterList) }
        if mpReach != nil { c.append(AttributeCode.mpReach) }
        if mpUnreach != nil { c.append(AttributeCode.mpUnreach) }
        if extendedCommunities != nil { c.append(AttributeCode.extendedCommunities) }
        if as4Path != nil { c.append(AttributeCode.as4Path) }
        if as4Aggregator != nil { c.append(AttributeCode.as4Aggregator) }
        if largeCommunities != nil { c.append(AttributeCode.largeCommunities) }
        if otc != nil { c.append(AttributeCode.otc) }
        c.append(contentsOf: unknown.map(\.code))
        return c
    }

    /// The attributes as they are passed on to another peer (RFC 4271
    /// §5, §9.1.4): unknown non-transitive attributes are dropped, unknown
    /// transitive ones get the Partial bit.
    public func forPropagation() -> PathAttributes {
        var copy = self
        copy.unknown = unknown.compactMap { u in
            guard u.isTransitive else { return nil }
            var p = u
            p.flags |= AttributeFlags.partial
            return p
        }
        return copy
    }
}
