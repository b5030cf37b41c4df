import BGPCodec

/// What the per-prefix operations need of the decision process.
struct DecisionContext {
    let peers: [RIBPeer?]
    let decision: Decision

    func candidate(_ p: Path, _ store: AttributeStore) -> Candidate {
        let s = store[p.attributes]
        return Candidate(attributes: s.attributes, nextHop: s.nextHop, peer: peers[Int(p.peer)] ?? .local, isLocal: p.peer == 0)
    }

    /// Moves the best eligible path to the front.
    func sortBest(_ paths: inout [Path], _ store: AttributeStore) {
        guard paths.count > 1 else { return }
        var best: Int? = nil
        var bestC: Candidate? = nil
        for i in paths.indices where paths[i].isEligible {
            let c = candidate(paths[i], store)
            if let b = bestC, decision.compare(b, c).order <= 0 { continue }
            best = i
            bestC = c
        }
        if let b = best, b != 0 { paths.swapAt(0, b) }
    }

    /// After the path at `i` was added or changed (and was not the best):
    /// it becomes the best if it beats the current one. One comparison, not
    /// a new scan, so a prefix that many peers send costs the same per
    /// UPDATE however many paths it has.
    func promote(_ paths: inout [Path], _ i: Int, _ store: AttributeStore) {
        guard i != 0, paths[i].isEligible else { return }
        if !paths[0].isEligible || decision.compare(candidate(paths[i], store), candidate(paths[0], store)).order < 0 {
            paths.swapAt(0, i)
        }
    }

    /// The best path changed: a different path, or its attributes, or
    /// whether there is one. With multipath every change counts.
    func differs(_ before: Path?, _ after: Path?) -> Bool {
        let a = before.flatMap { $0.isEligible ? $0 : nil }
        let b = after.flatMap { $0.isEligible ? $0 : nil }
        if decision.options.multipath { return a != nil || b != nil }
        return a?.peer != b?.peer || a?.pathID != b?.pathID || a?.attributes != b?.attributes
    }
}

/// The outcome of one per-prefix operation.
struct PathChange {
    var bestChanged = false
    var received = 0
    var accepted = 0
}

/// What every prefix of one UPDATE shares: the attributes (LOCAL_PREF
/// from an external peer already dropped), the next hop, the peer, the
/// loop flag, and the peer's import policy.
struct Announcement {
    var attributes: PathAttributes
    var nextHop: NextHop
    var peer: UInt16
    var flags: UInt16
    var policy: RoutePolicy
}

extension FamilyTable {
    /// Adds or replaces the path of (peer, path id). The caller has
    /// retained `p.attributes`.
    mutating func insert(_ key: Key, _ p: Path, _ store: inout AttributeStore, _ ctx: DecisionContext) -> PathChange {
        let w: UInt64
        if p.pathID == 0 {
            // The common cases, in one walk of the table: a new prefix, or
            // the only path, from the same peer, replaced.
            guard let (found, at) = table.insertIfAbsent(key, p.packed) else {
                return PathChange(bestChanged: p.isEligible, received: 1, accepted: p.isEligible ? 1 : 0)
            }
            if let old = inlinePath(found), old.peer == p.peer {
                table.setValue(p.packed, at: at)
                store.release(old.attributes)
                let changed = (old.isEligible || p.isEligible) && (old.attributes != p.attributes || old.flags != p.flags)
                return PathChange(bestChanged: changed, received: 0, accepted: (p.isEligible ? 1 : 0) - (old.isEligible ? 1 : 0))
            }
            w = found
        } else {
            guard let found = table[key] else {
                put(key, [p])
                return PathChange(bestChanged: p.isEligible, received: 1, accepted: p.isEligible ? 1 : 0)
            }
            w = found
        }
        if let idx = multiIndex(w) {
            // Several paths: changed in place (no copy of the list), and
            // the best decided again only when the best itself changed.
            let before = multis[idx][0]
            var change = PathChange(received: 1, accepted: p.isEligible ? 1 : 0)
            if let i = multis[idx].firstIndex(where: { $0.peer == p.peer && $0.pathID == p.pathID }) {
                store.release(multis[idx][i].attributes)
                change.received = 0
                change.accepted -= multis[idx][i].isEligible ? 1 : 0
                multis[idx][i] = p
                if i == 0 { ctx.sortBest(&multis[idx], store) } else { ctx.promote(&multis[idx], i, store) }
            } else {
                multis[idx].append(p)
                ctx.promote(&multis[idx], multis[idx].count - 1, store)
            }
            change.bestChanged = ctx.differs(before, multis[idx][0])
            return change
        }
        // One path, of another peer (or another path id): now two.
        let old = Path(packed: w)
        var paths = [old, p]
        var change = PathChange(received: 1, accepted: p.isEligible ? 1 : 0)
        if old.peer == p.peer && old.pathID == p.pathID {
            store.release(old.attributes)
            change.received = 0
            change.accepted -= old.isEligible ? 1 : 0
            paths = [p]
        }
        ctx.sortBest(&paths, store)
        put(key, paths)
        change.bestChanged = ctx.differs(old, paths.first)
        return change
    }

    /// Removes the path of (peer, path id), if there is one.
    mutating func remove(_ key: Key, peer: UInt16, pathID: UInt32, _ store: inout AttributeStore, _ ctx: DecisionContext) -> (Path, PathChange)? {
        guard let w = table[key] else { return nil }
        if let old = inlinePath(w) {
            guard old.peer == peer, pathID == 0 else { return nil }
            table.remove(key)
            store.release(old.attributes)
            return (old, PathChange(bestChanged: old.isEligible, received: -1, accepted: old.isEligible ? -1 : 0))
        }
        guard let idx = multiIndex(w), let i = multis[idx].firstIndex(where: { $0.peer == peer && $0.pathID == pathID }) else { return nil }
        let before = multis[idx][0]
        let old = multis[idx].remove(at: i)
        store.release(old.attributes)
        if i == 0 { ctx.sortBest(&multis[idx], store) }
        if multis[idx].isEmpty || (multis[idx].count == 1 && multis[idx][0].pathID == 0) {
            let rest = multis[idx]
            put(key, rest)  // back inline, or gone
        }
        return (old, PathChange(bestChanged: ctx.differs(before, paths(key).first), received: -1, accepted: old.isEligible ? -1 : 0))
    }

    /// Stores one UPDATE's prefixes of this family. With import policy
    /// `accept-all` every prefix gets the same path, retained for all at
    /// once; otherwise policy decides per prefix. Returns the count changes;
    /// prefixes whose best path changed go to `changed` when `record`.
    mutating func announce(_ prefixes: [Key.Prefix], _ a: Announcement, _ store: inout AttributeStore, _ ctx: DecisionContext,
                           record: Bool, _ changed: inout [RoutePrefix]) -> PathChange {
        var total = PathChange()
        if case .acceptAll = a.policy {
            let id = store.intern(StoredAttributes(attributes: a.attributes, nextHop: a.nextHop))
            store.retain(id, count: prefixes.count)
            if prefixes.allSatisfy({ Key.pathID(of: $0) == 0 }) {
                total = insertAll(prefixes, Path(attributes: id, peer: a.peer, flags: a.flags), &store, ctx, record: record, &changed)
                store.collect(id)
                return total
            }
            for x in prefixes {
                let c = insert(Key(x), Path(attributes: id, peer: a.peer, flags: a.flags, pathID: Key.pathID(of: x)), &store, ctx)
                total.received &+= c.received
                total.accepted &+= c.accepted
                if c.bestChanged && record { changed.append(Key.route(x).withoutPathID) }
            }
            store.collect(id)
            return total
        }
        var cache: [Bool]? = nil
        var byOutcome: [RoutePolicy.Outcome: (UInt32, UInt16)] = [:]
        for x in prefixes {
            let outcome = a.policy.evaluate(Key.route(x), a.attributes, cache: &cache)
            let (id, flags): (UInt32, UInt16)
            if let known = byOutcome[outcome] {
                (id, flags) = known
            } else {
                let stored: StoredAttributes
                var fl = a.flags
                if let c = a.policy.changes(outcome) {
                    stored = StoredAttributes(attributes: c.apply(to: a.attributes), learned: a.attributes, nextHop: a.nextHop)
                } else {
                    stored = StoredAttributes(attributes: a.attributes, nextHop: a.nextHop)
                    fl |= Path.denied
                }
                (id, flags) = (store.intern(stored), fl)
                byOutcome[outcome] = (id, flags)
            }
            store.retain(id)
            let c = insert(Key(x), Path(attributes: id, peer: a.peer, flags: flags, pathID: Key.pathID(of: x)), &store, ctx)
            total.received &+= c.received
            total.accepted &+= c.accepted
            if c.bestChanged && record { changed.append(Key.route(x).withoutPathID) }
        }
        for (id, _) in byOutcome.values { store.collect(id) }
        return total
    }

    /// The accept-all path of `announce` without ADD-PATH ids: one batch
    /// through the table. A new prefix, or one whose only path is the
    /// peer's own, is settled in the batch; any other goes through
    /// `insert` after it. The caller has retained `p.attributes` once per
    /// prefix.
    private mutating func insertAll(_ prefixes: [Key.Prefix], _ p: Path, _ store: inout AttributeStore, _ ctx: DecisionContext,
                                    record: Bool, _ changed: inout [RoutePrefix]) -> PathChange {
        var total = PathChange()
        var later: [Int] = []
        let added = table.insertAll(prefixes.lazy.map { Key($0) }, p.packed, added: { n in
            if record && p.isEligible { changed.append(Key.route(prefixes[n])) }
        }, present: { n, w in
            let old = Path(packed: w)
            guard old.flags & Path.multi == 0, old.peer == p.peer else {
                later.append(n)
                return nil
            }
            store.release(old.attributes)
            total.accepted &+= (p.isEligible ? 1 : 0) - (old.isEligible ? 1 : 0)
            if record, (old.isEligible || p.isEligible) && (old.attributes != p.attributes || old.flags != p.flags) {
                changed.append(Key.route(prefixes[n]))
            }
            return p.packed
        })
        total.received &+= added
        if p.isEligible { total.accepted &+= added }
        for n in later {
            let c = insert(Key(prefixes[n]), p, &store, ctx)
            total.received &+= c.received
            total.accepted &+= c.accepted
            if c.bestChanged && record { changed.append(Key.route(prefixes[n])) }
        }
        return total
    }

    /// Rewrites (or removes, nil) every path of one peer; returns the keys
    /// whose best changed (when `record`) and the count changes. Prefixes with the peer's
    /// path alone (most) are rewritten in place in one pass of the table;
    /// those with several paths after it.
    mutating func rewrite(peer: UInt16, _ store: inout AttributeStore, _ ctx: DecisionContext, record: Bool,
                          _ transform: (Key, Path, inout AttributeStore) -> Path?) -> ([Key], PathChange) {
        var changed: [Key] = []
        var total = PathChange()
        var shared: [Key] = []
        table.update { k, w in
            let p = Path(packed: w)
            guard p.flags & Path.multi == 0 else {
                shared.append(k)
                return w
            }
            guard p.peer == peer else { return w }
            let q = Self.rewritten(p, transform(k, p, &store), &store, &total)
            if record && ctx.differs(p, q) { changed.append(k) }
            return q?.packed
        }
        for k in shared {
            var paths = paths(k)
            guard paths.contains(where: { $0.peer == peer }) else { continue }
            let before = paths.first
            paths = paths.compactMap { p in
                p.peer == peer ? Self.rewritten(p, transform(k, p, &store), &store, &total) : p
            }
            ctx.sortBest(&paths, store)
            put(k, paths)
            if record && ctx.differs(before, paths.first) { changed.append(k) }
        }
        return (changed, total)
    }

    /// One path of the peer after `transform` (nil: removed), with its
    /// references and the counts kept.
    private static func rewritten(_ p: Path, _ transformed: Path?, _ store: inout AttributeStore, _ total: inout PathChange) -> Path? {
        guard var q = transformed else {
            store.release(p.attributes)
            total.received -= 1
            total.accepted -= p.isEligible ? 1 : 0
            return nil
        }
        q.peer = p.peer
        q.pathID = p.pathID
        if q.attributes != p.attributes {
            store.retain(q.attributes)
            store.release(p.attributes)
        }
        total.accepted += (q.isEligible ? 1 : 0) - (p.isEligible ? 1 : 0)
        return q
    }
}

extension LocRIB {
    var context: DecisionContext { DecisionContext(peers: peers, decision: decision) }

    /// Whether changes from this peer are listed: always for our own
    /// routes (peer 0), otherwise when someone consumes them.
    func records(_ peer: UInt16) -> Bool { recordChanges || peer == 0 }

    /// Stores the routes of one UPDATE: import policy decides per prefix
    /// (its attribute conditions once per UPDATE), and each distinct
    /// outcome is one interned attribute set.
    mutating func announce(_ prefixes: [IPv4Prefix], _ received: PathAttributes, _ nextHop: NextHop,
                           _ peer: UInt16, _ changes: inout RIBChanges) {
        let a = announcement(received, nextHop, peer)
        let c = v4.announce(prefixes, a, &store, context, record: records(peer), &changes.bestChanged)
        counts[Int(peer)].received[0] += c.received
        counts[Int(peer)].accepted[0] += c.accepted
    }

    mutating func announce(_ prefixes: [IPv6Prefix], _ received: PathAttributes, _ nextHop: NextHop,
                           _ peer: UInt16, _ changes: inout RIBChanges) {
        let a = announcement(received, nextHop, peer)
        let c = v6.announce(prefixes, a, &store, context, record: records(peer), &changes.bestChanged)
        counts[Int(peer)].received[1] += c.received
        counts[Int(peer)].accepted[1] += c.accepted
    }

    /// What every prefix of one UPDATE shares.
    func announcement(_ received: PathAttributes, _ nextHop: NextHop, _ peer: UInt16) -> Announcement {
        var attributes = received
        // RFC 4271 §5.1.5: LOCAL_PREF from an external peer is ignored.
        if peer != 0, attributes.localPref != nil, peers[Int(peer)]?.isInternal == false { attributes.localPref = nil }
        let loop = peer != 0 && (attributes.asPath ?? []).contains { $0.asns.contains(localAS) }
        return Announcement(attributes: attributes, nextHop: nextHop, peer: peer, flags: loop ? Path.loop : 0,
                            policy: peer == 0 ? RoutePolicy.acceptAll : policies[Int(peer)])
    }

    mutating func withdraw(_ rp: RoutePrefix, _ peer: UInt16, _ changes: inout RIBChanges) {
        let ctx = context
        let r: (Path, PathChange)?
        switch rp {
        case .ipv4(let x): r = v4.remove(V4Key(x), peer: peer, pathID: x.pathID, &store, ctx)
        case .ipv6(let x): r = v6.remove(V6Key(x), peer: peer, pathID: x.pathID, &store, ctx)
        }
        guard let (_, c) = r else { return }
        let fi = rp.family == .ipv6Unicast ? 1 : 0
        counts[Int(peer)].received[fi] += c.received
        counts[Int(peer)].accepted[fi] += c.accepted
        if c.bestChanged && records(peer) { changes.bestChanged.append(rp.withoutPathID) }
    }

    mutating func withdraw(_ list: MPPrefixes, _ family: AddressFamily, _ peer: UInt16, _ changes: inout RIBChanges) {
        switch list {
        case .ipv4(let l) where family == .ipv4Unicast: for p in l { withdraw(.ipv4(p), peer, &changes) }
        case .ipv6(let l) where family == .ipv6Unicast: for p in l { withdraw(.ipv6(p), peer, &changes) }
        default: break
        }
    }

    /// Visits every path of a peer in the given families (nil: all). The
    /// changed prefixes are listed only with `recordChanges`: a peer with
    /// 1M routes going down would otherwise list 32 MB of them for nobody.
    mutating func rewritePeer(_ peer: UInt16, families: Set<AddressFamily>?,
                              _ transform: (AddressFamily, RoutePrefix, Path, inout AttributeStore) -> Path?) -> RIBChanges {
        var changes = RIBChanges()
        let ctx = context
        if families?.contains(.ipv4Unicast) ?? true {
            let (keys, c) = v4.rewrite(peer: peer, &store, ctx, record: recordChanges) { k, p, s in transform(.ipv4Unicast, .ipv4(k.prefix), p, &s) }
            counts[Int(peer)].received[0] += c.received
            counts[Int(peer)].accepted[0] += c.accepted
            changes.bestChanged += keys.map { .ipv4($0.prefix) }
        }
        if families?.contains(.ipv6Unicast) ?? true {
            let (keys, c) = v6.rewrite(peer: peer, &store, ctx, record: recordChanges) { k, p, s in transform(.ipv6Unicast, .ipv6(k.prefix), p, &s) }
            counts[Int(peer)].received[1] += c.received
            counts[Int(peer)].accepted[1] += c.accepted
            changes.bestChanged += keys.map { .ipv6($0.prefix) }
        }
        return changes
    }
}

extension RoutePrefix {
    /// The prefix without its ADD-PATH id: the Loc-RIB's key.
    public var withoutPathID: RoutePrefix {
        switch self {
        case .ipv4(let p): return p.pathID == 0 ? self : .ipv4(IPv4Prefix(p.address, p.length))
        case .ipv6(let p): return p.pathID == 0 ? self : .ipv6(IPv6Prefix(p.address, p.length))
        }
    }
}
