import BGPCodec

/// RFC 4271 §8.1 states, by their RFC names.
public enum SessionState: String, Hashable, Sendable, CaseIterable {
    case idle = "Idle"
    case connect = "Connect"
    case active = "Active"
    case openSent = "OpenSent"
    case openConfirm = "OpenConfirm"
    case established = "Established"
}

/// The inputs of one connection's state machine, named after RFC 4271 §8.1.
/// Timer events are not here: the machine keeps its own deadlines and
/// fires them from `advance(to:)`.
public enum SessionEvent: Hashable, Sendable {
    /// Event 1 / 4: an operator starts the session (passive: only accept).
    case manualStart(passive: Bool)
    /// Event 2: an operator stops it; the NOTIFICATION is Cease/2 with this
    /// RFC 9003 text, or another Cease subcode.
    case manualStop(CeaseSubcode, message: String?)
    /// Event 3 / 5.
    case automaticStart(passive: Bool)
    /// Event 16 Tcp_CR_Acked (our connection) or 17 TcpConnectionConfirmed (theirs).
    case tcpConnected(inbound: Bool)
    /// Event 18.
    case tcpConnectionFails
    /// Bytes read from the connection, in any pieces.
    case received([UInt8])
    /// UPDATEs (already encoded with `sendContext`) to send in Established.
    case sendUpdates([[UInt8]])
    /// A ROUTE-REFRESH to send (RFC 2918 / 7313).
    case sendRouteRefresh(RouteRefreshMessage)
    /// RFC 9687: the transport has bytes queued that the peer is not
    /// reading (`true`), or made progress writing them (`false`).
    case sendBlocked(Bool)
}

public enum TimerKind: String, Hashable, Sendable, CaseIterable {
    case connectRetry, hold, keepalive, delayOpen, idleHold, sendHold
}

/// Why a session left Established or failed to reach it.
public enum SessionDownReason: Hashable, Sendable {
    /// We sent this NOTIFICATION.
    case sent(NotificationMessage)
    /// The peer sent this NOTIFICATION.
    case received(NotificationMessage)
    case connectionFailed
}

/// What the machine asks its owner to do, in order.
public enum SessionAction: Hashable, Sendable {
    /// Open a TCP connection to the peer.
    case connect
    /// Write these bytes (one or more whole messages).
    case send([UInt8])
    /// Close the connection once what was queued has been written.
    case disconnect
    case stateChanged(from: SessionState, to: SessionState)
    case established(NegotiatedSession)
    /// The session is down; routes learned from it must go (or go stale
    /// under graceful restart).
    case down(SessionDownReason)
    /// A decoded UPDATE, or its RFC 7606 treat-as-withdraw / AFI-SAFI
    /// disable outcome, for the RIB.
    case update(DecodeResult)
    case routeRefresh(RouteRefreshMessage)
}
