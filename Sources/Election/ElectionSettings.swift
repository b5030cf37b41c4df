import BGPSession

/// What one election is, and the timings its safety rests on.
///
/// Every timing is derived from the lease TTL unless given, so an operator
/// sets one number (`lease_ttl`) and the fencing stays consistent with it:
///
/// - keep-alives every TTL/3, so two may be lost before the fence bites;
/// - the fence margin defaults to max(200 ms, TTL/10): it covers a late timer
///   on our loop and the netlink work of removing the address, and keeps the
///   release strictly before etcd could let the lease lapse; it is clamped
///   to TTL/2 so a healthy leader is never fenced between two keep-alives;
/// - a failed request is retried after TTL/20, clamped to 50...500 ms, so a
///   dead endpoint costs little of the fencing budget;
/// - one HTTP attempt times out after max(200 ms, TTL/5), so a frozen member
///   (SIGSTOP, a partition) is left for the next endpoint well within it.
public struct ElectionSettings: Hashable, Sendable {
    /// The election's name: candidate keys live under `<name>/`, the owner
    /// key is `<name>.owner`.
    public var name: String
    /// This node's name, the value of its keys.
    public var nodeName: String
    /// Whole seconds, as etcd grants leases.
    public var leaseTTL: Int
    public var fenceMargin: Duration
    public var requestTimeout: Duration
    /// How long a resigning leader keeps the VIP once another candidate
    /// leads, if the successor does not announce itself first.
    public var handoverCap: Duration = .milliseconds(100)

    public init(name: String, nodeName: String, leaseTTL: Int, fenceMargin: Duration? = nil, requestTimeout: Duration? = nil) {
        self.name = name
        self.nodeName = nodeName
        self.leaseTTL = max(1, leaseTTL)
        let ttl = Duration.seconds(self.leaseTTL)
        self.fenceMargin = min(fenceMargin ?? max(.milliseconds(200), ttl / 10), ttl / 2)
        self.requestTimeout = requestTimeout ?? max(.milliseconds(200), ttl / 5)
    }

    /// The keep-alive period for a lease etcd granted with `ttl`.
    static func keepAliveInterval(ttl: Duration) -> Duration { ttl / 3 }

    /// The delay before a failed request is sent again.
    static func retryInterval(ttl: Duration) -> Duration {
        min(.milliseconds(500), max(.milliseconds(50), ttl / 20))
    }

    /// Candidate keys: `<name>/<lease id in hex>`.
    public var candidatePrefix: String { name + "/" }
    /// The key the leader writes once it has announced the VIP (sent its
    /// first gratuitous ARP). It sorts just before the candidates ('.' is
    /// 0x2E, '/' 0x2F), so one range and one watch, `[<name>.owner, <name>0)`,
    /// cover both; candidates are told apart by their prefix.
    public var ownerKey: String { name + ".owner" }
    /// The end of the watched range: '0' follows '/' in ASCII.
    public var rangeEnd: String { name + "0" }

    func candidateKey(lease: Int64) -> String {
        candidatePrefix + String(UInt64(bitPattern: lease), radix: 16)
    }
}

/// The roles `vipctl election` shows.
public enum ElectionRole: String, Sendable {
    /// Our key is first (or we still hold the VIP during a handover).
    case leader
    /// Our key is registered behind another.
    case follower
    /// Getting a lease, registering a key, or reading who leads.
    case candidate
    /// Our lease lapsed or could not be confirmed in time; the VIP is gone
    /// and we are starting over with a new lease.
    case fenced
}
