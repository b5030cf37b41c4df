import BGPCodec

/// One entry of `policies`: rules tried in order; the first that matches
/// decides, and a route that matches none is rejected.
public struct Policy: Hashable, Sendable {
    /// `name` (required, unique). Not one of the built-in words accept-all,
    /// accept-none, vips and all.
    public var name: String
    /// `rules`. Default none, which rejects everything.
    public var rules: [PolicyRule] = []

    public init(name: String, rules: [PolicyRule] = []) {
        self.name = name
        self.rules = rules
    }

    /// Names a peer's import or export uses for built-in behaviour.
    public static let reservedNames: Set<String> = ["accept-all", "accept-none", "vips", "all"]
}

/// `rules[n]`: `match` and `action`.
public struct PolicyRule: Hashable, Sendable {
    /// `match`. Default empty, which matches every route.
    public var match = PolicyMatch()
    /// `action`. Default accept with no changes.
    public var action = PolicyAction()
    public init(match: PolicyMatch = PolicyMatch(), action: PolicyAction = PolicyAction()) {
        self.match = match
        self.action = action
    }
}

/// `match`: every condition given must hold.
public struct PolicyMatch: Hashable, Sendable {
    /// `prefix_list`: the route's prefix matches any entry. nil: any prefix.
    public var prefixList: [PrefixListEntry]?
    /// `community`: the route carries this community. nil: any.
    public var community: Community?
    /// `as_path`: a regular expression over the AS path as text ("65001
    /// 65002"). Checked to compile when parsed. nil: any.
    public var asPath: String?
    public init(prefixList: [PrefixListEntry]? = nil, community: Community? = nil, asPath: String? = nil) {
        self.prefixList = prefixList
        self.community = community
        self.asPath = asPath
    }
}

/// One `prefix_list` entry: "10.0.0.0/8", "10.0.0.0/8 le 24",
/// "10.0.0.0/8 ge 24 le 32" (as Cisco, FRR and BIRD write them).
public struct PrefixListEntry: Hashable, Sendable, CustomStringConvertible {
    public var prefix: IPPrefix
    /// Shortest length that matches; nil: the prefix's own length (or, with
    /// `le` alone, still the prefix's own length).
    public var ge: UInt8?
    /// Longest length that matches; nil: `ge` given means the family's
    /// maximum, neither given means the prefix's own length only.
    public var le: UInt8?

    public init(prefix: IPPrefix, ge: UInt8? = nil, le: UInt8? = nil) {
        self.prefix = prefix
        self.ge = ge
        self.le = le
    }

    /// The lengths this entry matches, after the rules above.
    public var lengths: ClosedRange<UInt8> {
        switch (ge, le) {
        case (nil, nil): return prefix.length...prefix.length
        case (let g?, nil): return g...prefix.maxLength
        case (nil, let l?): return prefix.length...l
        case (let g?, let l?): return g...l
        }
    }

    /// Parses the text form. Returns the reason on failure.
    static func parse(_ text: String) -> Result<PrefixListEntry, Reason> {
        let words = text.split(separator: " ")
        guard let first = words.first, let prefix = IPPrefix(first) else {
            return .failure(Reason("'\(text)' does not start with a prefix (address/length, host bits zero)"))
        }
        var entry = PrefixListEntry(prefix: prefix)
        var i = 1
        while i < words.count {
            let word = words[i]
            guard i + 1 < words.count, word == "ge" || word == "le" else {
                return .failure(Reason("'\(text)': expected 'ge N' or 'le N' after the prefix"))
            }
            guard let n = parseDecimal(words[i + 1]), n <= UInt64(prefix.maxLength) else {
                return .failure(Reason("'\(text)': \(word) must be a length of 0-\(prefix.maxLength)"))
            }
            if word == "ge" {
                guard entry.ge == nil, entry.le == nil else { return .failure(Reason("'\(text)': write 'ge' once, before 'le'")) }
                entry.ge = UInt8(n)
            } else {
                guard entry.le == nil else { return .failure(Reason("'\(text)': write 'le' once")) }
                entry.le = UInt8(n)
            }
            i += 2
        }
        if let g = entry.ge, g < prefix.length {
            return .failure(Reason("'\(text)': ge \(g) is shorter than the prefix length \(prefix.length)"))
        }
        if let l = entry.le, l < (entry.ge ?? prefix.length) {
            return .failure(Reason("'\(text)': le \(l) is shorter than \(entry.ge.map { "ge \($0)" } ?? "the prefix length \(prefix.length)")"))
        }
        return .success(entry)
    }

    public var description: String {
        var s = prefix.description
        if let g = ge { s += " ge \(g)" }
        if let l = le { s += " le \(l)" }
        return s
    }
}

/// Why a value was refused, for parsers that return a `Result`.
struct Reason: Error {
    let text: String
    init(_ text: String) { self.text = text }
}

/// `action`.
public struct PolicyAction: Hashable, Sendable {
    /// `accept`. Default true. With false, no other key may be set.
    public var accept = true
    /// `local_pref` to set. nil: unchanged.
    public var localPref: UInt32?
    /// `med` to set. nil: unchanged.
    public var med: UInt32?
    /// `add_communities`. Default none.
    public var addCommunities: [Community] = []

    public init(accept: Bool = true, localPref: UInt32? = nil, med: UInt32? = nil, addCommunities: [Community] = []) {
        self.accept = accept
        self.localPref = localPref
        self.med = med
        self.addCommunities = addCommunities
    }
}
