import BGPSession

/// One node's side of a leader election on etcd v3, with fencing.
///
/// **The recipe.** Get a lease (TTL `leaseTTL`) and keep it alive every
/// TTL/3. Create `<name>/<lease id in hex>` on that lease, only if absent
/// (a txn on create_revision == 0), valued with the node name. Read the range
/// `[<name>.owner, <name>0)` and watch it from the next revision: the
/// candidate key with the lowest create revision leads. Keys only ever join
/// at the back, so a leader stays first until its own key goes; a follower
/// learns from the watch (never by polling) when the keys ahead of it are
/// gone.
///
/// **Fencing.** etcd lets a lease lapse no earlier than TTL after it
/// processed the last keep-alive, and it processed it after we sent it. So
/// the lease is alive at least until `lastAckedSend + TTL`, where
/// `lastAckedSend` is the SEND time of the latest keep-alive (or grant)
/// etcd acknowledged, whenever the answer arrived. The leader gives up the
/// VIP at `lastAckedSend + TTL − fenceMargin` (the fence deadline), before
/// any successor can see its key deleted, and so before any successor can
/// take the VIP. A keep-alive answered with TTL 0 means the lease is gone:
/// release at once. Deadlines are checked before an input is handled, so an
/// answer arriving after the deadline never extends it. After fencing the
/// machine starts over with a new lease and key, at the back of the queue;
/// its old key, still first in the queue until etcd expires (or we revoke)
/// it, keeps everyone, us included, from leading too early.
///
/// **Graceful handover** (`.resign`, `.stop`). The leader deletes its key
/// but keeps its lease alive and the VIP up. The next candidate sees the
/// delete, takes the VIP, sends its first gratuitous ARP and then writes
/// `<name>.owner` = its node name (on its own lease, so the record dies with
/// it). The resigning leader releases when the owner key names the
/// candidate that now leads, or 100 ms (`handoverCap`) after it first saw
/// another candidate lead, whichever is first: the overlap is deliberate
/// and bounded. With no other candidate it releases at once. If the delete
/// cannot commit (quorum lost) nothing changes at etcd, and the fence
/// deadline still removes the VIP in time. `.resign` then campaigns again
/// (the same lease, a new key at the back); `.stop` revokes the lease.
///
/// State is plain values; each input returns the actions to carry out, in
/// order, ending with the timer to arm.
public struct ElectionMachine {
    public let settings: ElectionSettings

    enum Phase: Hashable {
        case idle
        /// Waiting for a lease grant.
        case acquiring
        /// Creating our candidate key.
        case registering
        /// Key registered; the view is read and watched.
        case campaigning
        /// Our key is (being) deleted; the VIP stays until the handover.
        case resigning(rejoin: Bool)
        /// Revoking the lease before stopping.
        case stopping
        case stopped
    }

    /// What an outstanding request was for.
    enum Purpose: Hashable {
        case grant(sent: Instant)
        case keepAlive(lease: Int64, sent: Instant)
        case create(lease: Int64)
        case range(epoch: UInt64)
        case announce(lease: Int64)
        case deleteKey(lease: Int64)
        case revoke(final: Bool)
    }

    struct Lease: Hashable {
        var id: Int64
        var ttl: Duration
        /// Send time of the latest acknowledged keep-alive (or the grant).
        var lastAckedSend: Instant
        var nextKeepAlive: Instant
    }

    /// The candidates and the owner record, as etcd has them at the last
    /// revision we read or watched.
    struct View: Hashable {
        var candidates: [String: EtcdKeyValue] = [:]
        var owner: String?

        var first: EtcdKeyValue? {
            candidates.values.min { $0.createRevision < $1.createRevision }
        }
    }

    var phase: Phase = .idle
    var lease: Lease?
    /// Our candidate key while we have a lease.
    var key: String?
    var keyDeleted = false
    /// nil until read (again, after a watch ends).
    var view: View?
    var watch: WatchID?
    var rangeEpoch: UInt64 = 0
    var pending: [RequestID: Purpose] = [:]
    /// A failed phase step is not sent again before this.
    var retryAt: Instant?
    var announceWanted = false
    var announceRetryAt: Instant?
    /// Resigning: when another candidate was first seen leading.
    var handoverSince: Instant?
    var fenced = false
    var armedTimer: Instant?
    var nextID: UInt64 = 0
    public internal(set) var ownsVIP = false

    public init(settings: ElectionSettings) {
        self.settings = settings
    }

    // MARK: - What the control API shows

    public var role: ElectionRole {
        switch phase {
        case .idle, .acquiring, .registering:
            return fenced ? .fenced : .candidate
        case .campaigning:
            if fenced { return .fenced }
            if ownsVIP { return .leader }
            guard let v = view, let first = v.first else { return .candidate }
            return first.key == key ? .leader : .follower
        case .resigning:
            return ownsVIP ? .leader : .follower
        case .stopping, .stopped:
            return .follower
        }
    }

    /// The node name on the first candidate key, as far as we know.
    public var leader: String? { view?.first?.value }

    /// How long the lease is sure to live at etcd: lastAckedSend + TTL − now.
    public func leaseRemaining(now: Instant) -> Duration? {
        guard let l = lease else { return nil }
        return max(.zero, (l.lastAckedSend + l.ttl) - now)
    }

    /// The send time of the latest keep-alive etcd acknowledged.
    public var lastAckedSend: Instant? { lease?.lastAckedSend }

    /// When the VIP goes at the latest if no keep-alive is acknowledged.
    public var fenceDeadline: Instant? {
        lease.map { $0.lastAckedSend + ($0.ttl - settings.fenceMargin) }
    }

    public var isStopped: Bool { phase == .stopped }

    // MARK: - Inputs

    public mutating func start(now: Instant) -> [ElectionAction] {
        var actions: [ElectionAction] = []
        if phase == .idle { phase = .acquiring }
        reconcile(now: now, into: &actions)
        return actions
    }

    public mutating func handle(_ input: ElectionInput, now: Instant) -> [ElectionAction] {
        var actions: [ElectionAction] = []
        checkFence(now: now, into: &actions)
        switch input {
        case .response(let id, let response):
            if let purpose = pending.removeValue(forKey: id) {
                handle(response, for: purpose, now: now, into: &actions)
            }
        case .failed(let id):
            if let purpose = pending.removeValue(forKey: id) {
                handleFailure(of: purpose, now: now, into: &actions)
            }
        case .watchEvents(let id, let events):
            if id == watch, var v = view {
                for event in events { apply(event, to: &v) }
                view = v
            }
        case .watchEnded(let id):
            if id == watch {
                watch = nil
                view = nil
            }
        case .timerFired:
            armedTimer = nil
        case .resign:
            if phase == .campaigning, ownsVIP { beginHandover(rejoin: true) }
        case .ownershipAnnounced:
            if ownsVIP, phase == .campaigning { announceWanted = true }
        case .stop:
            switch phase {
            case .campaigning where ownsVIP: beginHandover(rejoin: false)
            case .resigning: phase = .resigning(rejoin: false)
            case .idle, .stopped: finish(into: &actions)
            case .stopping: break
            case .acquiring, .registering, .campaigning: beginStopping(into: &actions)
            }
        }
        reconcile(now: now, into: &actions)
        return actions
    }
}
