import BGPSession

/// etcd operations as values. The machine names what it needs; the edge
/// turns each into one JSON-gateway call and the answer back into an
/// `EtcdResponse`. Keys and values are UTF-8 text here; the edge does the
/// base64.
public enum EtcdRequest: Hashable, Sendable {
    /// POST /v3/lease/grant.
    case grant(ttl: Int)
    /// POST /v3/lease/keepalive, one request, one answer.
    case keepAlive(lease: Int64)
    /// POST /v3/lease/revoke: deletes every key on the lease.
    case revoke(lease: Int64)
    /// POST /v3/kv/txn: put `key` on `lease` only if it does not exist
    /// (create_revision == 0).
    case createKey(key: String, value: String, lease: Int64)
    /// POST /v3/kv/range over `[from, to)`.
    case range(from: String, to: String)
    /// POST /v3/kv/put on a lease.
    case put(key: String, value: String, lease: Int64)
    /// POST /v3/kv/deleterange of one key.
    case delete(key: String)
}

public struct EtcdKeyValue: Hashable, Sendable {
    public var key: String
    public var value: String
    public var createRevision: Int64
    public var modRevision: Int64
    public var lease: Int64

    public init(key: String, value: String, createRevision: Int64, modRevision: Int64, lease: Int64 = 0) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.lease = lease
    }
}

/// The answers, one case per request kind.
public enum EtcdResponse: Hashable, Sendable {
    case granted(lease: Int64, ttl: Int)
    /// TTL 0: the lease is gone (etcd omits the TTL for an unknown lease).
    case keptAlive(ttl: Int)
    case revoked
    case txn(succeeded: Bool, revision: Int64)
    case range([EtcdKeyValue], revision: Int64)
    case put(revision: Int64)
    case deleted(count: Int, revision: Int64)
}

public enum EtcdWatchEvent: Hashable, Sendable {
    case put(EtcdKeyValue)
    case delete(key: String, modRevision: Int64)
}

/// A watch over `[from, to)` starting at `startRevision`.
public struct EtcdWatchRequest: Hashable, Sendable {
    public var from: String
    public var to: String
    public var startRevision: Int64

    public init(from: String, to: String, startRevision: Int64) {
        self.from = from
        self.to = to
        self.startRevision = startRevision
    }
}

/// Matches an answer to its request.
public struct RequestID: Hashable, Sendable, CustomStringConvertible {
    public var raw: UInt64
    public init(_ raw: UInt64) { self.raw = raw }
    public var description: String { "req#\(raw)" }
}

/// Tells a current watch from one the machine already gave up.
public struct WatchID: Hashable, Sendable, CustomStringConvertible {
    public var raw: UInt64
    public init(_ raw: UInt64) { self.raw = raw }
    public var description: String { "watch#\(raw)" }
}
