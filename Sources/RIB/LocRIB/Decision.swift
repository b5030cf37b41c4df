import BGPCodec

/// The neighbour a path came from, as the decision process needs it.
public struct RIBPeer: Sendable, Hashable {
    /// The peer's address as 16 bytes (IPv4 mapped to ::ffff:a.b.c.d), for
    /// the last tie-break.
    public var address: [UInt8]
    public var asn: UInt32
    public var routerID: UInt32
    /// iBGP: the peer is in our AS.
    public var isInternal: Bool

    public init(address: [UInt8], asn: UInt32, routerID: UInt32, isInternal: Bool) {
        self.address = address
        self.asn = asn
        self.routerID = routerID
        self.isInternal = isInternal
    }

    /// Our own routes (the VIPs): peer index 0.
    public static let local = RIBPeer(address: [UInt8](repeating: 0, count: 16), asn: 0, routerID: 0, isInternal: true)
}

/// Options of the decision process (`bestpath` in the config).
public struct BestPathOptions: Sendable, Hashable {
    /// Compare MED between paths from different neighbour ASes too.
    public var alwaysCompareMED = false
    /// Keep every path equal to the best up to the IGP cost step (ECMP).
    public var multipath = false
    public init(alwaysCompareMED: Bool = false, multipath: Bool = false) {
        self.alwaysCompareMED = alwaysCompareMED
        self.multipath = multipath
    }
}

/// Which step of the decision process decided between two paths, for
/// `vipctl rib` and the tests.
public enum DecisionStep: Int, Sendable, CaseIterable, Comparable {
    case local, localPref, asPathLength, origin, med, externalOverInternal, igpCost, routerID, clusterListLength, peerAddress, equal

    public static func < (a: DecisionStep, b: DecisionStep) -> Bool { a.rawValue < b.rawValue }

    /// Paths that tie through this step are equal for multipath (ECMP).
    public var isMultipathTie: Bool { self > .igpCost }
}

/// One candidate of the decision process.
public struct Candidate {
    public var attributes: PathAttributes
    public var nextHop: NextHop
    public var peer: RIBPeer
    public var isLocal: Bool
    public init(attributes: PathAttributes, nextHop: NextHop, peer: RIBPeer, isLocal: Bool) {
        self.attributes = attributes
        self.nextHop = nextHop
        self.peer = peer
        self.isLocal = isLocal
    }
}

/// RFC 4271 §9.1.2 with the tie-breaks of §9.1.2.2, in the order of
/// docs/rib.md, which also says where we differ from the RFC:
///
/// 0. a route we originate (a VIP) wins, as FRR's weight 32768 does;
/// 1. higher LOCAL_PREF (a missing one counts as 100);
/// 2. shorter AS_PATH (a set counts 1, confederation segments 0);
/// 3. lower ORIGIN (IGP < EGP < INCOMPLETE);
/// 4. lower MED, only between paths from the same neighbour AS unless
///    always-compare is set (a missing MED is 0);
/// 5. eBGP over iBGP;
/// 6. lower IGP cost to the next hop, where known;
/// 7. lower router id, or ORIGINATOR_ID when present (RFC 4456 §9);
/// 8. shorter CLUSTER_LIST;
/// 9. lower peer address.
public struct Decision: Sendable {
    public var options: BestPathOptions
    /// The IGP cost to a next hop, where vipd knows it; nil skips step 6.
    public var igpCost: (@Sendable (NextHop) -> UInt32?)?

    public init(options: BestPathOptions = BestPathOptions(), igpCost: (@Sendable (NextHop) -> UInt32?)? = nil) {
        self.options = options
        self.igpCost = igpCost
    }

    /// Negative when `a` is better, positive when `b` is, with the step
    /// that decided.
    public func compare(_ a: Candidate, _ b: Candidate) -> (order: Int, step: DecisionStep) {
        if a.isLocal != b.isLocal { return (a.isLocal ? -1 : 1, .local) }
        let lpA = a.attributes.localPref ?? 100, lpB = b.attributes.localPref ?? 100
        if lpA != lpB { return (lpA > lpB ? -1 : 1, .localPref) }
        let lenA = Self.pathLength(a.attributes.asPath), lenB = Self.pathLength(b.attributes.asPath)
        if lenA != lenB { return (lenA < lenB ? -1 : 1, .asPathLength) }
        let oA = a.attributes.origin?.rawValue ?? 2, oB = b.attributes.origin?.rawValue ?? 2
        if oA != oB { return (oA < oB ? -1 : 1, .origin) }
        if options.alwaysCompareMED || Self.neighbourAS(a) == Self.neighbourAS(b) {
            let mA = a.attributes.med ?? 0, mB = b.attributes.med ?? 0
            if mA != mB { return (mA < mB ? -1 : 1, .med) }
        }
        if a.peer.isInternal != b.peer.isInternal { return (a.peer.isInternal ? 1 : -1, .externalOverInternal) }
        if let cost = igpCost, let cA = cost(a.nextHop), let cB = cost(b.nextHop), cA != cB {
            return (cA < cB ? -1 : 1, .igpCost)
        }
        let idA = a.attributes.originatorID?.value ?? a.peer.routerID
        let idB = b.attributes.originatorID?.value ?? b.peer.routerID
        if idA != idB { return (idA < idB ? -1 : 1, .routerID) }
        let clA = a.attributes.clusterList?.count ?? 0, clB = b.attributes.clusterList?.count ?? 0
        if clA != clB { return (clA < clB ? -1 : 1, .clusterListLength) }
        if a.peer.address != b.peer.address { return (a.peer.address.lexicographicallyPrecedes(b.peer.address) ? -1 : 1, .peerAddress) }
        return (0, .equal)
    }

    /// RFC 4271 §9.1.2.2 a: an AS_SET counts as one, confederation
    /// segments (RFC 5065 §5.3) as none.
    public static func pathLength(_ path: [ASPathSegment]?) -> Int {
        var n = 0
        for s in path ?? [] {
            switch s.kind {
            case .sequence: n += s.asns.count
            case .set: n += 1
            case .confedSequence, .confedSet: break
            }
        }
        return n
    }

    /// The AS a path was learned from, for the MED rule: the first AS of
    /// the first AS_SEQUENCE; our own AS (0) for iBGP paths with an empty
    /// path.
    static func neighbourAS(_ c: Candidate) -> UInt32 {
        for s in c.attributes.asPath ?? [] where s.kind == .sequence {
            if let first = s.asns.first { return first }
        }
        return 0
    }
}
