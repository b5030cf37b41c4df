import BGPSession

/// Everything that can happen to the machine. Each comes with the time it
/// happened (`handle(_:now:)`); the machine never reads a clock.
public enum ElectionInput: Hashable, Sendable {
    /// etcd answered a request.
    case response(RequestID, EtcdResponse)
    /// A request failed: no endpoint answered in time, or etcd refused it.
    case failed(RequestID)
    /// Changes seen by a watch.
    case watchEvents(WatchID, [EtcdWatchEvent])
    /// A watch stream ended (its member died or was left); the machine reads
    /// the range again and opens a new one.
    case watchEnded(WatchID)
    /// The timer the machine last asked for fired (or any time later).
    case timerFired
    /// Hand the VIP to the next candidate, then campaign again at the back.
    case resign
    /// The daemon sent its first gratuitous ARP after `.takeVIP`.
    case ownershipAnnounced
    /// Hand over if leading, revoke the lease, and end.
    case stop
}

/// Why the VIP goes.
public enum ReleaseReason: Hashable, Sendable {
    /// No keep-alive acknowledged in time: the lease might lapse at etcd.
    case fenceDeadline
    /// etcd says the lease is gone (keep-alive TTL 0).
    case leaseLost
    /// Our candidate key vanished while we led.
    case keyLost
    /// A graceful handover finished: the successor announced itself.
    case handedOver(to: String)
    /// A graceful handover hit its cap after the successor started leading.
    case handoverCapReached
    /// Resigned with nobody to hand over to.
    case noSuccessor
}

/// What the owner must do, in order.
public enum ElectionAction: Hashable, Sendable {
    /// Add the VIP and announce it (gratuitous ARP), then tell the machine
    /// `.ownershipAnnounced`.
    case takeVIP
    /// Remove the VIP now.
    case releaseVIP(ReleaseReason)
    /// Fire `.timerFired` at this instant; replaces any earlier request.
    case setTimer(Instant)
    case send(RequestID, EtcdRequest)
    case openWatch(WatchID, EtcdWatchRequest)
    case closeWatch(WatchID)
    /// After `.stop`: nothing more will be asked.
    case stopped
}
