/// What the receiver of a malformed message does (RFC 4271 §6, RFC 7606 §2).
/// Ordered by severity: when a message has several errors, the most severe
/// one decides (RFC 7606 §3 h).
public enum ErrorAction: Int, Hashable, Sendable, Comparable, CaseIterable {
    /// The UPDATE is kept without the offending attribute.
    case attributeDiscard = 0
    /// Every NLRI of the UPDATE is handled as withdrawn.
    case treatAsWithdraw = 1
    /// Every route of one AFI/SAFI from the peer is dropped (RFC 4760 §7).
    case afiSafiDisable = 2
    /// A NOTIFICATION is sent and the session closes.
    case sessionReset = 3

    public var name: String {
        switch self {
        case .attributeDiscard: return "attribute-discard"
        case .treatAsWithdraw: return "treat-as-withdraw"
        case .afiSafiDisable: return "afi-safi-disable"
        case .sessionReset: return "session-reset"
        }
    }

    public static func < (a: ErrorAction, b: ErrorAction) -> Bool { a.rawValue < b.rawValue }
}

/// RFC 4271 §6.1 message header errors. All reset the session.
public enum HeaderFault: Error, Hashable, Sendable {
    case connectionNotSynchronized
    case badMessageLength(UInt16)
    case badMessageType(UInt8)
}

/// RFC 4271 §6.2 OPEN errors the codec can see alone. Peer AS, capability
/// and role checks need the session's configuration and live there.
public enum OpenFault: Error, Hashable, Sendable {
    case unsupportedVersion(UInt8)
    case badBGPIdentifier(UInt32)
    case unacceptableHoldTime(UInt16)
    case unsupportedOptionalParameter(UInt8)
    /// Lengths in the optional parameters do not add up.
    case malformedOptionalParameters
    /// A known capability whose value does not fit its code.
    case malformedCapability(code: UInt8, data: [UInt8])
}

/// RFC 7313 §5: a BoRR or EoRR whose body is not 4 bytes.
public enum RouteRefreshFault: Error, Hashable, Sendable {
    case invalidMessageLength(subtype: UInt8, data: [UInt8])
}

/// RFC 4271 §6.3 UPDATE errors, each with its RFC 7606 action.
public enum UpdateFault: Error, Hashable, Sendable {
    /// Withdrawn Routes Length runs past the message (RFC 7606 §4).
    case withdrawnLengthOverrun
    /// Total Path Attribute Length runs past the message (RFC 7606 §4).
    case attributesLengthOverrun
    /// A prefix in Withdrawn Routes or NLRI is malformed (RFC 7606 §5.3).
    case invalidNetworkField
    /// Fewer bytes remain than an attribute header needs (RFC 7606 §4, case 2).
    case attributeHeaderTruncated
    /// An attribute's length runs past the attribute list (RFC 7606 §4, case 1).
    case attributeOverrun(code: UInt8)
    /// MP_REACH_NLRI or MP_UNREACH_NLRI appears twice (RFC 7606 §3 g).
    case duplicateMultiprotocolAttribute(code: UInt8)
    /// A well-known attribute we do not know (RFC 4271 §6.3).
    case unrecognizedWellKnown(code: UInt8, data: [UInt8])
    /// ORIGIN, AS_PATH or NEXT_HOP absent while NLRI are present (RFC 7606 §3 d).
    case missingWellKnown(code: UInt8)
    /// Optional/Transitive bits conflict with the attribute's definition.
    case attributeFlags(code: UInt8, data: [UInt8])
    /// A known attribute with a length its definition does not allow.
    case attributeLength(code: UInt8, data: [UInt8])
    case invalidOrigin(data: [UInt8])
    case invalidNextHop(data: [UInt8])
    case malformedASPath(code: UInt8)
    /// A well-formed length but contents that make no sense.
    case optionalAttribute(code: UInt8, data: [UInt8])
    /// MP_REACH/MP_UNREACH malformed; the AFI/SAFI could be read.
    case multiprotocol(code: UInt8, family: AddressFamily)
    /// MP_REACH/MP_UNREACH too short to hold its AFI/SAFI.
    case multiprotocolUnreadable(code: UInt8)

    /// The attribute concerned, when there is one.
    public var attributeCode: UInt8? {
        switch self {
        case .withdrawnLengthOverrun, .attributesLengthOverrun, .invalidNetworkField, .attributeHeaderTruncated:
            return nil
        case .attributeOverrun(let c), .duplicateMultiprotocolAttribute(let c), .unrecognizedWellKnown(let c, _),
             .missingWellKnown(let c), .attributeFlags(let c, _), .attributeLength(let c, _),
             .malformedASPath(let c), .optionalAttribute(let c, _), .multiprotocol(let c, _),
             .multiprotocolUnreadable(let c):
            return c
        case .invalidOrigin: return AttributeCode.origin
        case .invalidNextHop: return AttributeCode.nextHop
        }
    }

    /// RFC 7606's approach for this fault. For faults inside one attribute it
    /// is that attribute's rule (RFC 7606 §7); see `AttributeCode.malformedAction`.
    public var action: ErrorAction {
        switch self {
        case .withdrawnLengthOverrun, .attributesLengthOverrun, .invalidNetworkField,
             .duplicateMultiprotocolAttribute, .unrecognizedWellKnown, .multiprotocolUnreadable:
            return .sessionReset
        case .multiprotocol:
            return .afiSafiDisable
        case .attributeHeaderTruncated, .attributeOverrun, .missingWellKnown, .invalidOrigin, .invalidNextHop:
            return .treatAsWithdraw
        case .attributeFlags(let c, _), .attributeLength(let c, _), .malformedASPath(let c), .optionalAttribute(let c, _):
            return AttributeCode.malformedAction(c)
        }
    }

    public var subcode: UpdateMessageSubcode {
        switch self {
        case .withdrawnLengthOverrun, .attributesLengthOverrun, .attributeHeaderTruncated,
             .duplicateMultiprotocolAttribute:
            return .malformedAttributeList
        case .invalidNetworkField: return .invalidNetworkField
        case .attributeOverrun: return .attributeLengthError
        case .unrecognizedWellKnown: return .unrecognizedWellKnownAttribute
        case .missingWellKnown: return .missingWellKnownAttribute
        case .attributeFlags: return .attributeFlagsError
        case .attributeLength: return .attributeLengthError
        case .invalidOrigin: return .invalidOriginAttribute
        case .invalidNextHop: return .invalidNextHopAttribute
        case .malformedASPath: return .malformedASPath
        case .optionalAttribute, .multiprotocol, .multiprotocolUnreadable: return .optionalAttributeError
        }
    }

    /// RFC 4271 §6.3's Data field for this fault.
    public var data: [UInt8] {
        switch self {
        case .missingWellKnown(let c): return [c]
        case .unrecognizedWellKnown(_, let d), .attributeFlags(_, let d), .attributeLength(_, let d),
             .invalidOrigin(let d), .invalidNextHop(let d), .optionalAttribute(_, let d):
            return d
        case .withdrawnLengthOverrun, .attributesLengthOverrun, .invalidNetworkField, .attributeHeaderTruncated,
             .attributeOverrun, .duplicateMultiprotocolAttribute, .malformedASPath, .multiprotocol,
             .multiprotocolUnreadable:
            return []
        }
    }
}

/// Any decode failure. The mapping to a NOTIFICATION and to an action is an
/// exhaustive switch, so a new fault cannot be added without deciding both.
public enum MessageFault: Error, Hashable, Sendable {
    case header(HeaderFault)
    case open(OpenFault)
    case update(UpdateFault)
    case routeRefresh(RouteRefreshFault)

    public var action: ErrorAction {
        switch self {
        case .header, .open, .routeRefresh: return .sessionReset
        case .update(let u): return u.action
        }
    }

    /// The NOTIFICATION that RFC 4271 names for this fault. Under RFC 7606 it
    /// is sent only when `action` is `.sessionReset`; otherwise it says what
    /// was wrong, for logs and `vipctl decode`.
    public var notification: NotificationMessage {
        switch self {
        case .header(let h):
            switch h {
            case .connectionNotSynchronized:
                return NotificationMessage(.messageHeader, MessageHeaderSubcode.connectionNotSynchronized.rawValue)
            case .badMessageLength(let l):
                return NotificationMessage(.messageHeader, MessageHeaderSubcode.badMessageLength.rawValue,
                                           data: [UInt8(l >> 8), UInt8(l & 0xFF)])
            case .badMessageType(let t):
                return NotificationMessage(.messageHeader, MessageHeaderSubcode.badMessageType.rawValue, data: [t])
            }
        case .open(let o):
            switch o {
            case .unsupportedVersion:
                // RFC 4271 §6.2: the largest version we support.
                return NotificationMessage(.openMessage, OpenMessageSubcode.unsupportedVersionNumber.rawValue, data: [0, 4])
            case .badBGPIdentifier:
                return NotificationMessage(.openMessage, OpenMessageSubcode.badBGPIdentifier.rawValue)
            case .unacceptableHoldTime:
                return NotificationMessage(.openMessage, OpenMessageSubcode.unacceptableHoldTime.rawValue)
            case .unsupportedOptionalParameter:
                return NotificationMessage(.openMessage, OpenMessageSubcode.unsupportedOptionalParameter.rawValue)
            case .malformedOptionalParameters:
                return NotificationMessage(.openMessage, OpenMessageSubcode.unspecific.rawValue)
            case .malformedCapability(_, let data):
                return NotificationMessage(.openMessage, OpenMessageSubcode.unspecific.rawValue, data: data)
            }
        case .update(let u):
            return NotificationMessage(.updateMessage, u.subcode.rawValue, data: u.data)
        case .routeRefresh(.invalidMessageLength(_, let data)):
            return NotificationMessage(.routeRefreshMessage, RouteRefreshSubcode.invalidMessageLength.rawValue, data: data)
        }
    }
}
