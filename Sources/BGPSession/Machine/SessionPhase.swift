import BGPCodec

/// The machine's state with the data each state owns. A state's struct can
/// only be built from the state that legally precedes it, so an illegal
/// transition does not compile (after swift-nio-ssh's state machines).
enum SessionPhase: Sendable {
    case idle
    case connect
    case active
    case openSent(OpenSentState)
    case openConfirm(OpenConfirmState)
    case established(EstablishedState)

    var state: SessionState {
        switch self {
        case .idle: return .idle
        case .connect: return .connect
        case .active: return .active
        case .openSent: return .openSent
        case .openConfirm: return .openConfirm
        case .established: return .established
        }
    }

    /// A TCP connection exists in this state.
    var isConnected: Bool {
        switch self {
        case .openSent, .openConfirm, .established: return true
        case .idle, .connect, .active: return false
        }
    }
}

/// Our OPEN is on the wire.
struct OpenSentState: Sendable {
    let inbound: Bool
    /// Built when the connection is up and our OPEN goes out.
    static func openSent(inbound: Bool) -> OpenSentState { OpenSentState(inbound: inbound) }
}

/// Both OPENs agree; waiting for the peer's KEEPALIVE.
struct OpenConfirmState: Sendable {
    let inbound: Bool
    let negotiated: NegotiatedSession
    let remoteOpen: OpenMessage

    init(from sent: OpenSentState, negotiated: NegotiatedSession, remoteOpen: OpenMessage) {
        inbound = sent.inbound
        self.negotiated = negotiated
        self.remoteOpen = remoteOpen
    }
}

/// The session is up.
struct EstablishedState: Sendable {
    let inbound: Bool
    let negotiated: NegotiatedSession
    let remoteOpen: OpenMessage
    let since: Instant

    init(from confirm: OpenConfirmState, at now: Instant) {
        inbound = confirm.inbound
        negotiated = confirm.negotiated
        remoteOpen = confirm.remoteOpen
        since = now
    }
}
