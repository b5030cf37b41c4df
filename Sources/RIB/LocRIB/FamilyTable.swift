/// One path to a prefix: its attribute set, the peer it came from, its
/// state flags and its ADD-PATH id.
public struct Path: Sendable, Hashable {
    public var attributes: UInt32
    public var peer: UInt16
    public var flags: UInt16
    public var pathID: UInt32

    public init(attributes: UInt32, peer: UInt16, flags: UInt16 = 0, pathID: UInt32 = 0) {
        self.attributes = attributes
        self.peer = peer
        self.flags = flags
        self.pathID = pathID
    }

    /// RFC 4724 §4.2: kept across the peer's restart until refreshed.
    public static let stale: UInt16 = 1
    /// Import policy rejected it; kept so a policy change re-evaluates it.
    public static let denied: UInt16 = 2
    /// RFC 4271 §9.1.2: our AS is in its AS_PATH; never eligible.
    public static let loop: UInt16 = 4
    /// Marks a packed word whose low half indexes the multi-path lists.
    /// The flags fit in 4 bits, so a packed path fits in 52 (the table's
    /// IPv4 slots keep 58).
    static let multi: UInt16 = 8

    public var isStale: Bool { flags & Path.stale != 0 }
    /// Eligible for the decision process.
    public var isEligible: Bool { flags & (Path.denied | Path.loop) == 0 }

    @inline(__always) var packed: UInt64 {
        assert(flags < 16, "a path's flags are 4 bits in the table")
        return UInt64(attributes) | UInt64(peer) << 32 | UInt64(flags) << 48
    }
    @inline(__always) init(packed w: UInt64) {
        attributes = UInt32(truncatingIfNeeded: w)
        peer = UInt16(truncatingIfNeeded: w >> 32)
        flags = UInt16(truncatingIfNeeded: w >> 48)
        pathID = 0
    }
}

/// The paths of one family: most prefixes have one path, stored in the
/// table's 64-bit word itself; prefixes with several (more peers, or
/// ADD-PATH ids) keep a list aside, with the best path first.
struct FamilyTable<Key: TableKey>: Sendable {
    var table = PrefixTable<Key>()
    var multis: [[Path]] = []
    var freeMultis: [Int] = []

    var count: Int { table.count }

    /// The paths of a prefix, best (if eligible) first.
    func paths(_ key: Key) -> [Path] {
        guard let w = table[key] else { return [] }
        return decode(w)
    }

    func decode(_ w: UInt64) -> [Path] {
        let p = Path(packed: w)
        if p.flags & Path.multi != 0 { return multis[Int(p.attributes)] }
        return [p]
    }

    /// The single path stored inline, if that is how the prefix is stored.
    @inline(__always) func inlinePath(_ w: UInt64) -> Path? {
        let p = Path(packed: w)
        return p.flags & Path.multi == 0 ? p : nil
    }

    /// Stores the paths of a prefix (empty removes it), best first.
    mutating func put(_ key: Key, _ paths: [Path]) {
        let old = table[key]
        if let o = old, let idx = multiIndex(o) {
            if paths.count > 1 || (paths.count == 1 && paths[0].pathID != 0) {
                multis[idx] = paths
                return
            }
            multis[idx] = []
            freeMultis.append(idx)
        }
        if paths.isEmpty {
            table.remove(key)
        } else if paths.count == 1 && paths[0].pathID == 0 {
            table.set(key, paths[0].packed)
        } else {
            let idx: Int
            if let f = freeMultis.popLast() {
                idx = f
                multis[idx] = paths
            } else {
                idx = multis.count
                multis.append(paths)
            }
            table.set(key, Path(attributes: UInt32(idx), peer: 0, flags: Path.multi).packed)
        }
    }

    func multiIndex(_ w: UInt64) -> Int? {
        let p = Path(packed: w)
        return p.flags & Path.multi != 0 ? Int(p.attributes) : nil
    }

    /// The paths for which `where` holds, without a list per prefix.
    func count(where predicate: (Path) -> Bool) -> Int {
        var n = 0
        table.forEach { _, w in
            if let p = inlinePath(w) {
                if predicate(p) { n += 1 }
            } else {
                n += decode(w).count(where: predicate)
            }
        }
        return n
    }

    func forEach(_ body: (Key, [Path]) -> Void) {
        table.forEach { k, w in body(k, decode(w)) }
    }
}
