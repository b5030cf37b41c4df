import BGPSession
@testable import Election

/// A tiny pure model of etcd for the property test: one revision counter,
/// leases that lapse TTL after the last keep-alive etcd processed, keys,
/// and an event log the watches read from.
struct FakeEtcd {
    var revision: Int64 = 1
    var nextLease: Int64 = 0x100
    var leases: [Int64: (ttl: Int, expiresAt: Instant)] = [:]
    var keys: [String: EtcdKeyValue] = [:]
    var log: [(revision: Int64, event: EtcdWatchEvent)] = []

    /// Lapses leases whose time has come (etcd checks every 0.5 s; the model
    /// lapses them exactly on time, the harshest case for fencing).
    mutating func expire(now: Instant) {
        for (id, l) in leases where l.expiresAt <= now { revokeLease(id) }
    }

    mutating func revokeLease(_ id: Int64) {
        leases[id] = nil
        for (k, v) in keys.sorted(by: { $0.key < $1.key }) where v.lease == id { delete(k) }
    }

    mutating func delete(_ key: String) {
        guard keys.removeValue(forKey: key) != nil else { return }
        revision += 1
        log.append((revision, .delete(key: key, modRevision: revision)))
    }

    mutating func put(_ key: String, _ value: String, lease: Int64) {
        revision += 1
        let create = keys[key]?.createRevision ?? revision
        let kv = EtcdKeyValue(key: key, value: value, createRevision: create, modRevision: revision, lease: lease)
        keys[key] = kv
        log.append((revision, .put(kv)))
    }

    /// etcd processing one request at `now`; nil is an error answer.
    mutating func process(_ request: EtcdRequest, now: Instant) -> EtcdResponse? {
        expire(now: now)
        switch request {
        case .grant(let ttl):
            nextLease += 1
            leases[nextLease] = (ttl, now + .seconds(ttl))
            return .granted(lease: nextLease, ttl: ttl)
        case .keepAlive(let id):
            guard let l = leases[id] else { return .keptAlive(ttl: 0) }
            leases[id] = (l.ttl, now + .seconds(l.ttl))
            return .keptAlive(ttl: l.ttl)
        case .revoke(let id):
            guard leases[id] != nil else { return nil }
            revokeLease(id)
            return .revoked
        case .createKey(let key, let value, let lease):
            guard leases[lease] != nil else { return nil }
            if keys[key] != nil { return .txn(succeeded: false, revision: revision) }
            put(key, value, lease: lease)
            return .txn(succeeded: true, revision: revision)
        case .range(let from, let to):
            let kvs = keys.values.filter { $0.key >= from && $0.key < to }.sorted { $0.key < $1.key }
            return .range(kvs, revision: revision)
        case .put(let key, let value, let lease):
            guard leases[lease] != nil else { return nil }
            put(key, value, lease: lease)
            return .put(revision: revision)
        case .delete(let key):
            let had = keys[key] != nil
            delete(key)
            return .deleted(count: had ? 1 : 0, revision: revision)
        }
    }

    /// After a raft leader change etcd renews every lease to its full TTL.
    mutating func renewAll(now: Instant) {
        for (id, l) in leases { leases[id] = (l.ttl, max(l.expiresAt, now + .seconds(l.ttl))) }
    }

    func events(from startRevision: Int64, in watch: EtcdWatchRequest) -> [EtcdWatchEvent] {
        log.filter { entry in
            guard entry.revision >= startRevision else { return false }
            let key: String
            switch entry.event {
            case .put(let kv): key = kv.key
            case .delete(let k, _): key = k
            }
            return key >= watch.from && key < watch.to
        }.map(\.event)
    }
}
