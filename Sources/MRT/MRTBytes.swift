/// A bounds-checked big-endian cursor over borrowed bytes, private to the
/// MRT codec (BGPCodec's own reader is internal to it). Reads never trap.
struct MRTCursor {
    let buffer: UnsafeRawBufferPointer
    var position: Int

    init(_ buffer: UnsafeRawBufferPointer, position: Int = 0) {
        self.buffer = buffer
        self.position = position
    }

    var remaining: Int { buffer.count - position }

    /// Fails with `truncatedBody` naming `field` unless `count` bytes remain.
    func need(_ count: Int, _ field: String) throws(MRTError) {
        guard count >= 0, remaining >= count else {
            throw .truncatedBody(field: field, needed: count, available: max(remaining, 0))
        }
    }

    mutating func u16(_ field: String) throws(MRTError) -> UInt16 {
        try need(2, field)
        let v = UInt16(buffer[position]) << 8 | UInt16(buffer[position + 1])
        position += 2
        return v
    }

    mutating func u32(_ field: String) throws(MRTError) -> UInt32 {
        try need(4, field)
        var v: UInt32 = 0
        for i in 0..<4 { v = v << 8 | UInt32(buffer[position + i]) }
        position += 4
        return v
    }

    mutating func u64(_ field: String) throws(MRTError) -> UInt64 {
        try need(8, field)
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(buffer[position + i]) }
        position += 8
        return v
    }

    /// The rest of the bytes, copied.
    mutating func rest() -> [UInt8] {
        guard remaining > 0 else { return [] }
        let out = [UInt8](UnsafeRawBufferPointer(rebasing: buffer[position...]))
        position = buffer.count
        return out
    }
}

extension Array where Element == UInt8 {
    mutating func appendU16(_ v: UInt16) {
        append(UInt8(truncatingIfNeeded: v >> 8))
        append(UInt8(truncatingIfNeeded: v))
    }

    mutating func appendU32(_ v: UInt32) {
        appendU16(UInt16(truncatingIfNeeded: v >> 16))
        appendU16(UInt16(truncatingIfNeeded: v))
    }
}

/// `withUnsafeBytes` that keeps the typed error (Array's is `rethrows`).
func withBytes<T>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(MRTError) -> T) throws(MRTError) -> T {
    let result: Result<T, MRTError> = bytes.withUnsafeBytes { buf in
        Result { () throws(MRTError) -> T in try body(buf) }
    }
    return try result.get()
}
