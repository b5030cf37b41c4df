import BGPCodec

/// RFC 4271 §6.8 connection collision: two connections to one peer, one
/// opened by each side. Which one stays is decided by the BGP Identifiers,
/// and (RFC 6286 §2.3) by the AS numbers when the identifiers are equal.
public enum CollisionWinner: Hashable, Sendable {
    /// Keep the connection we opened; close the peer's with Cease/7.
    case ourConnection
    /// Keep the connection the peer opened; close ours with Cease/7.
    case theirConnection
}

public enum Collision {
    public static func winner(localID: IPv4Address, localAS: UInt32, remoteID: IPv4Address, remoteAS: UInt32) -> CollisionWinner {
        if localID != remoteID {
            // The connection opened by the speaker with the higher identifier stays.
            return localID.value > remoteID.value ? .ourConnection : .theirConnection
        }
        // Equal identifiers (possible between ASes, RFC 6286): the larger AS's connection stays.
        return localAS > remoteAS ? .ourConnection : .theirConnection
    }

    /// The NOTIFICATION for the connection that is closed.
    public static let notification = NotificationMessage.cease(.connectionCollisionResolution)
}
