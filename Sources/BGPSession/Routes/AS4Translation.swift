import BGPCodec

/// RFC 6793: AS paths across a session where one side has only 2-octet AS
/// numbers. A 4-octet session carries AS_PATH as is; a 2-octet one carries
/// AS_TRANS in AS_PATH and the real numbers in AS4_PATH.
extension PathAttributes {
    static let asTrans = UInt32(OpenMessage.asTrans)

    /// RFC 6793 §4.2.2: what a NEW speaker sends to an OLD one.
    public func forTwoOctetPeer() -> PathAttributes {
        var out = self
        out.as4Path = nil
        out.as4Aggregator = nil
        if let path = asPath, path.contains(where: { $0.asns.contains { $0 > 0xFFFF } }) {
            out.asPath = path.map { ASPathSegment($0.kind, $0.asns.map { $0 > 0xFFFF ? Self.asTrans : $0 }) }
            // AS4_PATH carries no confederation segments (§6).
            out.as4Path = path.filter { $0.kind == .sequence || $0.kind == .set }
        }
        if let g = aggregator, g.asn > 0xFFFF {
            out.aggregator = Aggregator(asn: Self.asTrans, address: g.address)
            out.as4Aggregator = g
        }
        return out
    }

    /// RFC 6793 §4.2.3: how a NEW speaker rebuilds the path from an OLD one.
    public func fromTwoOctetPeer() -> PathAttributes {
        var out = self
        out.as4Path = nil
        out.as4Aggregator = nil
        // An AGGREGATOR that is not AS_TRANS means the AS4_ attributes are
        // stale: ignore both.
        if let g = aggregator, g.asn != Self.asTrans, as4Aggregator != nil {
            return out
        }
        if let g4 = as4Aggregator { out.aggregator = g4 }
        guard let path = asPath, let path4 = as4Path else { return out }
        let n = Self.pathLength(path), n4 = Self.pathLength(path4)
        // An AS4_PATH longer than AS_PATH is ignored.
        guard n >= n4 else { return out }
        var merged = Self.leading(n - n4, of: path)
        var rest = path4[...]
        // Join the seam: one AS_SEQUENCE, as the path was before the OLD hop.
        if let last = merged.last, let first = rest.first, last.kind == .sequence, first.kind == .sequence,
           last.asns.count + first.asns.count <= 255 {
            merged[merged.count - 1] = ASPathSegment(.sequence, last.asns + first.asns)
            rest = rest.dropFirst()
        }
        out.asPath = merged + rest
        return out
    }

    /// RFC 4271 §9.1.2.2: a SET counts one, confederation segments none.
    static func pathLength(_ p: [ASPathSegment]) -> Int {
        p.reduce(0) { n, s in
            switch s.kind {
            case .sequence: return n + s.asns.count
            case .set: return n + 1
            case .confedSequence, .confedSet: return n
            }
        }
    }

    /// The first `count` ASes of a path, counted as `pathLength` does.
    static func leading(_ count: Int, of p: [ASPathSegment]) -> [ASPathSegment] {
        var out: [ASPathSegment] = []
        var left = count
        for s in p {
            switch s.kind {
            case .confedSequence, .confedSet:
                out.append(s)
            case .set:
                guard left > 0 else { return out }
                out.append(s)
                left -= 1
            case .sequence:
                guard left > 0 else { return out }
                let take = min(left, s.asns.count)
                out.append(ASPathSegment(.sequence, Array(s.asns.prefix(take))))
                left -= take
            }
        }
        return out
    }
}
