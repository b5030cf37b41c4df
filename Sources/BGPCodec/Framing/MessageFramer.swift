/// Splits a TCP byte stream into BGP messages (RFC 4271 §4.1). It takes
/// bytes in any pieces: a partial message waits for more, one read may hold
/// many messages, one byte at a time works. Memory stays bounded by the
/// bytes appended but not yet taken plus one maximum-size message.
public struct MessageFramer: Sendable {
    public enum Frame: Hashable, Sendable {
        /// One whole message, header included.
        case message(ArraySlice<UInt8>)
        /// A header that fails RFC 4271 §6.1. `resynchronised` says whether
        /// the framer could skip the bad message (its length was usable) and
        /// go on; if not, the stream is lost and `next()` returns nil from now.
        case error(HeaderFault, resynchronised: Bool)
    }

    public var maxMessageLength: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var broken = false

    public init(maxMessageLength: Int = BGPLimits.maxMessageLength) {
        self.maxMessageLength = maxMessageLength
    }

    /// Bytes held that do not yet make a whole message.
    public var bufferedCount: Int { buffer.count - start }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    private mutating func compact() {
        if start > 0 && (start == buffer.count || start >= 65536) {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }

    /// The next whole message, a header error, or nil when more bytes are needed.
    public mutating func next() -> Frame? {
        guard !broken, buffer.count - start >= BGPLimits.headerLength else { return nil }
        let check = buffer.withUnsafeBytes { raw in
            MessageHeader.check(ByteReader(base: raw.baseAddress, position: start, end: buffer.count),
                                maxLength: maxMessageLength)
        }
        let len = Int(buffer[start + 16]) << 8 | Int(buffer[start + 17])
        switch check {
        case .success(let h):
            guard buffer.count - start >= h.length else { return nil }
            let frame = buffer[start..<(start + h.length)]
            start += h.length
            return .message(frame)
        case .failure(let fault):
            // With a usable length the bad message can be stepped over.
            if len >= BGPLimits.headerLength && len <= maxMessageLength {
                guard buffer.count - start >= len else { return nil }
                start += len
                return .error(fault, resynchronised: true)
            }
            broken = true
            return .error(fault, resynchronised: false)
        }
    }
}

extension MessageFramer {
    /// The length field of the message being waited for, once its header
    /// has arrived.
    public var pendingDeclaredLength: Int? {
        guard buffer.count - start >= BGPLimits.headerLength else { return nil }
        return Int(buffer[start + 16]) << 8 | Int(buffer[start + 17])
    }
}
