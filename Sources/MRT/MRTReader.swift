/// Reads MRT records one by one from a whole dump held in memory
/// (RFC 6396 §2: records follow each other with no framing beyond their
/// headers). Malformed input ends the stream with a typed `MRTError`; the
/// same error is thrown again on later calls, since the framing is lost.
///
///     var reader = MRTReader(bytes)
///     while let record = try reader.next() { ... }
public struct MRTReader: Sendable {
    public let bytes: [UInt8]
    /// Offset of the next record's header.
    public private(set) var offset: Int
    /// Bound on any record's Length field.
    public let maxRecordLength: Int
    /// The error that ended the stream, if one did.
    public private(set) var failure: MRTError?

    public init(_ bytes: [UInt8], maxRecordLength: Int = MRTLimits.defaultMaxRecordLength) {
        self.bytes = bytes
        self.offset = 0
        self.maxRecordLength = maxRecordLength
    }

    public var isAtEnd: Bool { offset >= bytes.count }

    /// The next record, or nil at a clean end of the bytes.
    public mutating func next() throws(MRTError) -> MRTRecord? {
        if let failure { throw failure }
        let start = offset
        let limit = maxRecordLength
        do {
            let result = try withBytes(bytes) { (buf) throws(MRTError) in
                try MRTRecord.decode(buf, at: start, maxLength: limit)
            }
            guard let (record, next) = result else { return nil }
            offset = next
            return record
        } catch {
            failure = error
            throw error
        }
    }

    /// Every record in `bytes`, or the first error.
    public static func records(in bytes: [UInt8], maxRecordLength: Int = MRTLimits.defaultMaxRecordLength) throws(MRTError) -> [MRTRecord] {
        var reader = MRTReader(bytes, maxRecordLength: maxRecordLength)
        var out: [MRTRecord] = []
        while let r = try reader.next() { out.append(r) }
        return out
    }

    /// Every record in borrowed bytes, or the first error.
    public static func records(in bytes: UnsafeRawBufferPointer, maxRecordLength: Int = MRTLimits.defaultMaxRecordLength) throws(MRTError) -> [MRTRecord] {
        var out: [MRTRecord] = []
        var offset = 0
        while let (record, next) = try MRTRecord.decode(bytes, at: offset, maxLength: maxRecordLength) {
            out.append(record)
            offset = next
        }
        return out
    }
}
