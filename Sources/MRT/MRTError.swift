/// Everything that can go wrong reading or writing MRT. Every malformed
/// input ends in one of these; nothing traps. Offsets are byte offsets of the
/// record's header in the stream being read.
public enum MRTError: Error, Hashable, Sendable {
    // MARK: Framing (RFC 6396 §2, §3)

    /// Fewer than the 12 bytes of a common header are left at `offset`.
    case truncatedHeader(offset: Int, available: Int)
    /// The header's Length field runs past the end of the bytes.
    case truncatedRecord(offset: Int, length: UInt32, available: Int)
    /// The header's Length field exceeds the reader's bound.
    case recordTooLong(offset: Int, length: UInt32, limit: Int)
    /// An `_ET` record too short to hold its 4-byte Microsecond Timestamp
    /// (RFC 6396 §3: the Length field counts it).
    case missingMicroseconds(offset: Int, length: UInt32)

    // MARK: BGP4MP bodies (RFC 6396 §4.4)

    /// Asked to read a BGP4MP body from a record of another type.
    case notBGP4MP(type: MRTType)
    /// A BGP4MP subtype this codec does not decode (2 and 3 are
    /// deprecated, RFC 6396 §4.4; others are unassigned).
    case unsupportedSubtype(UInt16)
    /// An Address Family other than IPv4 (1) or IPv6 (2) (RFC 6396 §4.4.1).
    case unsupportedAddressFamily(UInt16)
    /// The body ends before the field `field` is complete.
    case truncatedBody(field: String, needed: Int, available: Int)
    /// Bytes left over: after New State in a STATE_CHANGE body, or after
    /// the one record `MRTRecord.decode(_: [UInt8])` was given.
    case trailingBytes(count: Int)

    // MARK: Encoding

    /// An AS number above 65535 in a subtype with 2-octet AS fields.
    case asNumberTooLarge(UInt32, subtype: BGP4MPSubtype)
    /// The record body is too long for the 32-bit Length field.
    case bodyTooLong(Int)
    /// The content does not fit the subtype: a message for a STATE_CHANGE
    /// subtype, or a state change for a MESSAGE subtype.
    case contentMismatch(subtype: BGP4MPSubtype)
}
