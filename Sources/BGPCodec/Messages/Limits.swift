/// Sizes fixed by the RFCs. Each constant names its section.
public enum BGPLimits {
    /// RFC 4271 §4.1: 16-byte marker, 2-byte length, 1-byte type.
    public static let headerLength = 19
    public static let markerLength = 16
    /// RFC 4271 §4.1: no message exceeds 4096 bytes...
    public static let maxMessageLength = 4096
    /// ...unless RFC 8654 Extended Message is negotiated.
    public static let maxExtendedMessageLength = 65535
    /// RFC 4271 §4.2: an OPEN without optional parameters.
    public static let minOpenLength = 29
    /// RFC 4271 §4.3: both length fields and nothing else.
    public static let minUpdateLength = 23
    /// RFC 4271 §4.4: a KEEPALIVE is the header alone.
    public static let keepaliveLength = 19
    /// RFC 4271 §4.5: code and subcode.
    public static let minNotificationLength = 21
    /// RFC 2918 §3: AFI, reserved/subtype, SAFI.
    public static let routeRefreshLength = 23
    /// RFC 9003 §2: the shutdown communication is at most 255 bytes.
    public static let maxShutdownMessageLength = 255
}

/// RFC 4271 §4.1 message types, plus RFC 2918 ROUTE-REFRESH.
public enum MessageType: UInt8, Hashable, Sendable, CaseIterable {
    case open = 1
    case update = 2
    case notification = 3
    case keepalive = 4
    case routeRefresh = 5

    public var name: String {
        switch self {
        case .open: return "OPEN"
        case .update: return "UPDATE"
        case .notification: return "NOTIFICATION"
        case .keepalive: return "KEEPALIVE"
        case .routeRefresh: return "ROUTE-REFRESH"
        }
    }

    /// RFC 4271 §6.1: the length bounds each type must meet.
    var lengthIsValid: (Int) -> Bool {
        switch self {
        case .open: return { $0 >= BGPLimits.minOpenLength }
        case .update: return { $0 >= BGPLimits.minUpdateLength }
        case .notification: return { $0 >= BGPLimits.minNotificationLength }
        case .keepalive: return { $0 == BGPLimits.keepaliveLength }
        case .routeRefresh: return { $0 >= BGPLimits.routeRefreshLength }
        }
    }
}
