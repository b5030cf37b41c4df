/// Path attribute type codes (IANA "BGP Path Attributes") and, per code, the
/// descriptor row that the decoder and encoder share: expected flags and the
/// RFC 7606 §7 approach for a malformed instance.
public enum AttributeCode {
    public static let origin: UInt8 = 1              // RFC 4271
    public static let asPath: UInt8 = 2              // RFC 4271
    public static let nextHop: UInt8 = 3             // RFC 4271
    public static let med: UInt8 = 4                 // RFC 4271
    public static let localPref: UInt8 = 5           // RFC 4271
    public static let atomicAggregate: UInt8 = 6     // RFC 4271
    public static let aggregator: UInt8 = 7          // RFC 4271
    public static let communities: UInt8 = 8         // RFC 1997
    public static let originatorID: UInt8 = 9        // RFC 4456
    public static let clusterList: UInt8 = 10        // RFC 4456
    public static let mpReach: UInt8 = 14            // RFC 4760
    public static let mpUnreach: UInt8 = 15          // RFC 4760
    public static let extendedCommunities: UInt8 = 16 // RFC 4360
    public static let as4Path: UInt8 = 17            // RFC 6793
    public static let as4Aggregator: UInt8 = 18      // RFC 6793
    public static let largeCommunities: UInt8 = 32   // RFC 8092
    public static let otc: UInt8 = 35                // RFC 9234

    public struct Descriptor: Sendable {
        public var optional: Bool
        public var transitive: Bool
        /// RFC 7606 §7: what a malformed instance of this attribute causes.
        public var malformed: ErrorAction

        /// The Optional and Transitive bits this attribute must carry.
        public var requiredFlags: UInt8 {
            (optional ? AttributeFlags.optional : 0) | (transitive ? AttributeFlags.transitive : 0)
        }
    }

    private static let wellKnown = Descriptor(optional: false, transitive: true, malformed: .treatAsWithdraw)

    /// The descriptor table. `nil` means a code this codec keeps opaque.
    public static func descriptor(_ code: UInt8) -> Descriptor? {
        switch code {
        case origin, asPath, nextHop, localPref: return wellKnown
        case atomicAggregate: return Descriptor(optional: false, transitive: true, malformed: .attributeDiscard)  // §7.6
        case med: return Descriptor(optional: true, transitive: false, malformed: .treatAsWithdraw)              // §7.4
        case aggregator: return Descriptor(optional: true, transitive: true, malformed: .attributeDiscard)       // §7.7
        case communities: return Descriptor(optional: true, transitive: true, malformed: .treatAsWithdraw)       // §7.8
        case originatorID, clusterList: return Descriptor(optional: true, transitive: false, malformed: .treatAsWithdraw)  // §7.9, 7.10
        case mpReach, mpUnreach: return Descriptor(optional: true, transitive: false, malformed: .afiSafiDisable) // §7.11
        case extendedCommunities: return Descriptor(optional: true, transitive: true, malformed: .treatAsWithdraw) // §7.14
        case as4Path, as4Aggregator: return Descriptor(optional: true, transitive: true, malformed: .attributeDiscard) // RFC 6793 §6
        case largeCommunities: return Descriptor(optional: true, transitive: true, malformed: .treatAsWithdraw)   // RFC 8092 §6
        case otc: return Descriptor(optional: true, transitive: true, malformed: .treatAsWithdraw)               // RFC 9234 §5
        default: return nil
        }
    }

    /// RFC 7606's approach for a malformed attribute of this code. An unknown
    /// optional attribute is never parsed, so it cannot be malformed; the
    /// answer for it is the RFC's default, treat-as-withdraw.
    public static func malformedAction(_ code: UInt8) -> ErrorAction {
        descriptor(code)?.malformed ?? .treatAsWithdraw
    }
}

/// RFC 4271 §4.3 attribute flag bits.
public enum AttributeFlags {
    public static let optional: UInt8 = 0x80
    public static let transitive: UInt8 = 0x40
    public static let partial: UInt8 = 0x20
    public static let extendedLength: UInt8 = 0x10
}
