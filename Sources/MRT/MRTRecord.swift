/// An MRT record type (RFC 6396 §4, IANA "MRT Types"). Unknown values are
/// kept, so any record can be read and written back.
public struct MRTType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// RFC 6396 §4.1-4.2.
    public static let ospfv2 = MRTType(11)
    /// RFC 6396 §4.2.
    public static let tableDump = MRTType(12)
    /// RFC 6396 §4.3.
    public static let tableDumpV2 = MRTType(13)
    /// RFC 6396 §4.4.
    public static let bgp4mp = MRTType(16)
    /// RFC 6396 §4.4 with the Extended Timestamp of §3.
    public static let bgp4mpET = MRTType(17)
    /// RFC 6396 §4.5.
    public static let isis = MRTType(32)
    public static let isisET = MRTType(33)
    /// RFC 6396 §4.6.
    public static let ospfv3 = MRTType(48)
    public static let ospfv3ET = MRTType(49)

    /// RFC 6396 §3: the `_ET` types, whose Message field begins with a
    /// 4-byte Microsecond Timestamp counted in the Length field.
    public var hasExtendedTimestamp: Bool {
        self == .bgp4mpET || self == .isisET || self == .ospfv3ET
    }

    public var description: String {
        switch self {
        case .ospfv2: return "OSPFv2"
        case .tableDump: return "TABLE_DUMP"
        case .tableDumpV2: return "TABLE_DUMP_V2"
        case .bgp4mp: return "BGP4MP"
        case .bgp4mpET: return "BGP4MP_ET"
        case .isis: return "ISIS"
        case .isisET: return "ISIS_ET"
        case .ospfv3: return "OSPFv3"
        case .ospfv3ET: return "OSPFv3_ET"
        default: return "type\(rawValue)"
        }
    }
}

/// Sizes fixed by RFC 6396 and this codec's own bounds.
public enum MRTLimits {
    /// RFC 6396 §2: Timestamp (4), Type (2), Subtype (2), Length (4).
    public static let headerLength = 12
    /// RFC 6396 §3: the Microsecond Timestamp of the `_ET` types.
    public static let microsecondsLength = 4
    /// The default bound on a record's Length field. A BGP4MP record holds
    /// at most one 65535-byte message (RFC 8654) plus 44 bytes of peering;
    /// TABLE_DUMP_V2 RIB records can be larger, so the bound is generous
    /// but keeps a corrupt length from claiming gigabytes.
    public static let defaultMaxRecordLength = 1 << 24
}

/// One MRT record (RFC 6396 §2): the common header, the Microsecond
/// Timestamp for the `_ET` types (§3), and the type-specific Message field
/// kept as raw bytes. Decode the body with the type's own codec, e.g.
/// `BGP4MPRecord(decoding:)`.
public struct MRTRecord: Hashable, Sendable {
    /// Seconds since 1970-01-01 UTC (RFC 6396 §2).
    public var timestamp: UInt32
    /// RFC 6396 §3 Microsecond Timestamp. Written and read only when
    /// `type.hasExtendedTimestamp`; 0 and ignored otherwise.
    public var microseconds: UInt32
    public var type: MRTType
    public var subtype: UInt16
    /// The Message field, after the Microsecond Timestamp if there is one.
    public var body: [UInt8]

    public init(timestamp: UInt32, microseconds: UInt32 = 0, type: MRTType, subtype: UInt16, body: [UInt8]) {
        self.timestamp = timestamp
        self.microseconds = type.hasExtendedTimestamp ? microseconds : 0
        self.type = type
        self.subtype = subtype
        self.body = body
    }

    /// The Length field this record is written with (RFC 6396 §2, §3).
    public var length: Int {
        body.count + (type.hasExtendedTimestamp ? MRTLimits.microsecondsLength : 0)
    }

    /// The record's bytes, header included.
    public func encoded() throws(MRTError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(MRTLimits.headerLength + length)
        try encode(into: &out)
        return out
    }

    /// Appends the record's bytes to `out`, for writing a dump.
    public func encode(into out: inout [UInt8]) throws(MRTError) {
        guard length <= Int(UInt32.max) else { throw .bodyTooLong(length) }
        out.appendU32(timestamp)
        out.appendU16(type.rawValue)
        out.appendU16(subtype)
        out.appendU32(UInt32(length))
        if type.hasExtendedTimestamp { out.appendU32(microseconds) }
        out.append(contentsOf: body)
    }

    /// Reads the record whose header starts at `offset`. Returns nil at the
    /// end of the bytes, else the record and the offset just past it.
    /// Records longer than `maxLength` are refused before anything is copied.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, at offset: Int = 0,
        maxLength: Int = MRTLimits.defaultMaxRecordLength
    ) throws(MRTError) -> (record: MRTRecord, next: Int)? {
        guard offset >= 0 else { throw .truncatedHeader(offset: offset, available: 0) }
        let available = bytes.count - offset
        guard available > 0 else { return nil }
        guard available >= MRTLimits.headerLength else {
            throw .truncatedHeader(offset: offset, available: available)
        }
        var c = MRTCursor(bytes, position: offset)
        let timestamp = try c.u32("timestamp")
        let type = MRTType(try c.u16("type"))
        let subtype = try c.u16("subtype")
        let length = try c.u32("length")
        guard Int(length) <= maxLength else {
            throw .recordTooLong(offset: offset, length: length, limit: maxLength)
        }
        guard Int(length) <= c.remaining else {
            throw .truncatedRecord(offset: offset, length: length, available: c.remaining)
        }
        let end = c.position + Int(length)
        var microseconds: UInt32 = 0
        if type.hasExtendedTimestamp {
            guard Int(length) >= MRTLimits.microsecondsLength else {
                throw .missingMicroseconds(offset: offset, length: length)
            }
            microseconds = try c.u32("microseconds")
        }
        let body = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[c.position..<end]))
        let record = MRTRecord(timestamp: timestamp, microseconds: microseconds, type: type, subtype: subtype, body: body)
        return (record, end)
    }

    /// Decodes exactly one record filling `bytes`.
    public static func decode(_ bytes: [UInt8], maxLength: Int = MRTLimits.defaultMaxRecordLength) throws(MRTError) -> MRTRecord {
        try withBytes(bytes) { (buf) throws(MRTError) -> MRTRecord in
            guard let (record, next) = try decode(buf, maxLength: maxLength) else {
                throw MRTError.truncatedHeader(offset: 0, available: 0)
            }
            guard next == buf.count else { throw MRTError.trailingBytes(count: buf.count - next) }
            return record
        }
    }
}
