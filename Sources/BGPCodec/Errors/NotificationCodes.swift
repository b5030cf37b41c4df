/// Every NOTIFICATION error code and subcode, named (RFC 4271 §4.5 and the
/// IANA "BGP Error (Notification) Codes" / "Subcodes" registries).
public enum ErrorCode: UInt8, Hashable, Sendable, CaseIterable {
    case messageHeader = 1          // RFC 4271
    case openMessage = 2            // RFC 4271
    case updateMessage = 3          // RFC 4271
    case holdTimerExpired = 4       // RFC 4271
    case finiteStateMachine = 5     // RFC 4271, RFC 6608
    case cease = 6                  // RFC 4271, RFC 4486
    case routeRefreshMessage = 7    // RFC 7313
    case sendHoldTimerExpired = 8   // RFC 9687

    public var name: String {
        switch self {
        case .messageHeader: return "Message Header Error"
        case .openMessage: return "OPEN Message Error"
        case .updateMessage: return "UPDATE Message Error"
        case .holdTimerExpired: return "Hold Timer Expired"
        case .finiteStateMachine: return "Finite State Machine Error"
        case .cease: return "Cease"
        case .routeRefreshMessage: return "ROUTE-REFRESH Message Error"
        case .sendHoldTimerExpired: return "Send Hold Timer Expired"
        }
    }
}

public enum MessageHeaderSubcode: UInt8, Hashable, Sendable, CaseIterable {
    case unspecific = 0
    case connectionNotSynchronized = 1
    case badMessageLength = 2
    case badMessageType = 3
}

public enum OpenMessageSubcode: UInt8, Hashable, Sendable, CaseIterable {
    case unspecific = 0
    case unsupportedVersionNumber = 1
    case badPeerAS = 2
    case badBGPIdentifier = 3
    case unsupportedOptionalParameter = 4
    case authenticationFailure = 5          // deprecated (RFC 4271 Appendix A)
    case unacceptableHoldTime = 6
    case unsupportedCapability = 7          // RFC 5492
    case groupingConflict = 8               // deprecated
    case groupingInjection = 9              // deprecated
    case groupingMismatch = 10              // deprecated
    case roleMismatch = 11                  // RFC 9234
}

public enum UpdateMessageSubcode: UInt8, Hashable, Sendable, CaseIterable {
    case unspecific = 0
    case malformedAttributeList = 1
    case unrecognizedWellKnownAttribute = 2
    case missingWellKnownAttribute = 3
    case attributeFlagsError = 4
    case attributeLengthError = 5
    case invalidOriginAttribute = 6
    case asRoutingLoop = 7                  // deprecated
    case invalidNextHopAttribute = 8
    case optionalAttributeError = 9
    case invalidNetworkField = 10
    case malformedASPath = 11
}

/// RFC 6608.
public enum FSMErrorSubcode: UInt8, Hashable, Sendable, CaseIterable {
    case unspecific = 0
    case unexpectedMessageInOpenSent = 1
    case unexpectedMessageInOpenConfirm = 2
    case unexpectedMessageInEstablished = 3
}

/// RFC 4486, RFC 8538 (Hard Reset), RFC 9384 (BFD Down).
public enum CeaseSubcode: UInt8, Hashable, Sendable, CaseIterable {
    case unspecific = 0
    case maximumPrefixesReached = 1
    case administrativeShutdown = 2
    case peerDeconfigured = 3
    case administrativeReset = 4
    case connectionRejected = 5
    case otherConfigurationChange = 6
    case connectionCollisionResolution = 7
    case outOfResources = 8
    case hardReset = 9
    case bfdDown = 10

    /// RFC 9003: these two may carry a shutdown communication.
    public var carriesShutdownMessage: Bool {
        self == .administrativeShutdown || self == .administrativeReset
    }
}

/// RFC 7313.
public enum RouteRefreshSubcode: UInt8, Hashable, Sendable, CaseIterable {
    case reserved = 0
    case invalidMessageLength = 1
}

extension NotificationMessage {
    /// A human-readable "Code/Subcode" name, for logs and `vipctl`.
    public var errorName: String {
        guard let c = ErrorCode(rawValue: code) else { return "Unknown error \(code)/\(subcode)" }
        let sub: String? = switch c {
        case .messageHeader: MessageHeaderSubcode(rawValue: subcode).map { "\($0)" }
        case .openMessage: OpenMessageSubcode(rawValue: subcode).map { "\($0)" }
        case .updateMessage: UpdateMessageSubcode(rawValue: subcode).map { "\($0)" }
        case .finiteStateMachine: FSMErrorSubcode(rawValue: subcode).map { "\($0)" }
        case .cease: CeaseSubcode(rawValue: subcode).map { "\($0)" }
        case .routeRefreshMessage: RouteRefreshSubcode(rawValue: subcode).map { "\($0)" }
        case .holdTimerExpired, .sendHoldTimerExpired: subcode == 0 ? "unspecific" : nil
        }
        return "\(c.name) / \(sub ?? "subcode \(subcode)")"
    }
}
