import BGPCodec

/// A prefix-list entry: a prefix and the lengths it matches ("10.0.0.0/8
/// ge 24 le 32").
public struct PrefixRange: Sendable, Hashable {
    public var prefix: RoutePrefix
    public var lengths: ClosedRange<UInt8>
    public init(prefix: RoutePrefix, lengths: ClosedRange<UInt8>) {
        self.prefix = prefix
        self.lengths = lengths
    }

    /// The route's prefix is inside `prefix` and its length in `lengths`.
    public func matches(_ p: RoutePrefix) -> Bool {
        switch (prefix, p) {
        case (.ipv4(let r), .ipv4(let x)):
            guard lengths.contains(x.length), x.length >= r.length else { return false }
            let m = IPv4Prefix.mask(r.length)
            return x.address.value & m == r.address.value & m
        case (.ipv6(let r), .ipv6(let x)):
            guard lengths.contains(x.length), x.length >= r.length else { return false }
            let (mh, ml) = IPv6Prefix.mask(r.length)
            return x.address.high & mh == r.address.high & mh && x.address.low & ml == r.address.low & ml
        default:
            return false
        }
    }
}

/// A rule's conditions; each one given must hold.
public struct PolicyConditions: @unchecked Sendable {
    public var prefixes: [PrefixRange]?
    public var community: UInt32?
    /// Over the AS path as text, "65001 65002" (a set as "{1 2}").
    public var asPath: Regex<AnyRegexOutput>?
    public var asPathSource: String?

    public init(prefixes: [PrefixRange]? = nil, community: UInt32? = nil, asPath: String? = nil) throws {
        self.prefixes = prefixes
        self.community = community
        self.asPathSource = asPath
        self.asPath = try asPath.map { try Regex($0) }
    }

    /// The conditions that look only at the attributes.
    func matchesAttributes(_ a: PathAttributes) -> Bool {
        if let c = community, !(a.communities ?? []).contains(c) { return false }
        if let re = asPath {
            let text = RoutePolicy.pathText(a.asPath ?? [])
            if (try? re.firstMatch(in: text)) == nil { return false }
        }
        return true
    }

    func matchesPrefix(_ p: RoutePrefix) -> Bool {
        guard let list = prefixes else { return true }
        return list.contains { $0.matches(p) }
    }
}

/// A rule's action when it accepts.
public struct PolicyChanges: Sendable, Hashable {
    public var localPref: UInt32?
    public var med: UInt32?
    public var addCommunities: [UInt32]
    public init(localPref: UInt32? = nil, med: UInt32? = nil, addCommunities: [UInt32] = []) {
        self.localPref = localPref
        self.med = med
        self.addCommunities = addCommunities
    }

    public var isEmpty: Bool { localPref == nil && med == nil && addCommunities.isEmpty }

    public func apply(to a: PathAttributes) -> PathAttributes {
        guard !isEmpty else { return a }
        var out = a
        if let lp = localPref { out.localPref = lp }
        if let m = med { out.med = m }
        if !addCommunities.isEmpty {
            var list = a.communities ?? []
            for c in addCommunities where !list.contains(c) { list.append(c) }
            out.communities = list
        }
        return out
    }
}

public struct PolicyRuleSpec: Sendable {
    public var conditions: PolicyConditions
    /// nil rejects.
    public var accept: PolicyChanges?
    public init(conditions: PolicyConditions, accept: PolicyChanges?) {
        self.conditions = conditions
        self.accept = accept
    }
}

/// Import or export policy: accept all, accept none, or rules where the
/// first match decides and no match rejects.
public enum RoutePolicy: Sendable {
    case acceptAll
    case acceptNone
    case rules(name: String, [PolicyRuleSpec])

    /// What policy decided for one route: rejected, or accepted by rule
    /// `rule` (-1 for accept-all) with these changes.
    public enum Outcome: Sendable, Hashable {
        case reject
        case accept(rule: Int)
    }

    /// Evaluates a route. `attributeMatches` caches the attribute-only
    /// conditions of each rule for the routes of one UPDATE.
    public func evaluate(_ p: RoutePrefix, _ a: PathAttributes, cache: inout [Bool]?) -> Outcome {
        switch self {
        case .acceptAll: return .accept(rule: -1)
        case .acceptNone: return .reject
        case .rules(_, let rules):
            if cache == nil { cache = rules.map { $0.conditions.matchesAttributes(a) } }
            for (i, r) in rules.enumerated() where cache![i] && r.conditions.matchesPrefix(p) {
                return r.accept == nil ? .reject : .accept(rule: i)
            }
            return .reject
        }
    }

    public func changes(_ o: Outcome) -> PolicyChanges? {
        guard case .accept(let i) = o else { return nil }
        guard case .rules(_, let rules) = self, i >= 0 else { return PolicyChanges() }
        return rules[i].accept
    }

    public var name: String {
        switch self {
        case .acceptAll: return "accept-all"
        case .acceptNone: return "accept-none"
        case .rules(let n, _): return n
        }
    }

    /// The AS path as policy text: sequences as numbers, a set in braces.
    public static func pathText(_ path: [ASPathSegment]) -> String {
        path.map { s in
            switch s.kind {
            case .sequence, .confedSequence: return s.asns.map(String.init).joined(separator: " ")
            case .set, .confedSet: return "{" + s.asns.map(String.init).joined(separator: " ") + "}"
            }
        }.joined(separator: " ")
    }
}
