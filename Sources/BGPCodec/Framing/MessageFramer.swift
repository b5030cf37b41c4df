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
    /// Bytes of a bad message still to arrive and be dropped.
    var skip = 0

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
    /// A header error is reported as soon as the header is in, without
    /// waiting for a body that a broken peer may never send.
    public mutating func next() -> Frame? {
        if skip > 0 {
            let n = min(skip, buffer.count - start)
            start += n
            skip -= n
            if skip > 0 { return nil }
        }
        guard !broken else { return nil }
        var offset = start
        let found = buffer.withUnsafeBytes { raw in
            MessageFramer.nextFrame(in: raw, at: &offset, maxMessageLength: maxMessageLength)
        }
        switch found {
        case nil:
            return nil
        case .message(let range):
            start = offset
            return .message(buffer[range])
        case .error(let fault, let unread):
            start = offset
            guard let unread else {
                broken = true
                return .error(fault, resynchronised: false)
            }
            skip = unread
            return .error(fault, resynchronised: true)
        }
    }

    public enum Found: Hashable, Sendable {
        case message(Range<Int>)
        /// `unreadBody` is how many bytes of the bad message are still to
        /// come and be dropped, or nil when the stream cannot be followed.
        case error(HeaderFault, unreadBody: Int?)
    }

    /// Framing over bytes already in memory, shared by `next()` and by
    /// readers of whole buffers (files, benchmarks). Advances `offset` past
    /// what it returns; nil means the bytes from `offset` on are not yet a
    /// whole message. After a bad marker the length field means nothing, so
    /// the stream is lost; after another header error the message's length
    /// can still be trusted and the bad message is stepped over.
    public static func nextFrame(in raw: UnsafeRawBufferPointer, at offset: inout Int, maxMessageLength: Int) -> Found? {
        guard raw.count - offset >= BGPLimits.headerLength else { return nil }
        let check = MessageHeader.check(ByteReader(base: raw.baseAddress, position: offset, end: raw.count),
                                        maxLength: maxMessageLength)
        let len = Int(raw[offset + 16]) << 8 | Int(raw[offset + 17])
        switch check {
        case .success(let h):
            guard raw.count - offset >= h.length else { return nil }
            defer { offset += h.length }
            return .message(offset..<(offset + h.length))
        case .failure(.connectionNotSynchronized):
            offset = raw.count
            return .error(.connectionNotSynchronized, unreadBody: nil)
        case .failure(let fault):
            guard len >= BGPLimits.headerLength && len <= maxMessageLength else {
                offset = raw.count
                return .error(fault, unreadBody: nil)
            }
            let available = min(len, raw.count - offset)
            offset += available
            return .error(fault, unreadBody: len - available)
        }
    }
}

extension MessageFramer {
    /// The type byte of the next message, once its header has arrived.
    public var pendingType: MessageType? {
        guard skip == 0, buffer.count - start >= BGPLimits.headerLength else { return nil }
        return MessageType(rawValue: buffer[start + 18])
    }

    /// The length field of the message being waited for, once its header
    /// has arrived.
    public var pendingDeclaredLength: Int? {
        guard buffer.count - start >= BGPLimits.headerLength else { return nil }
        return Int(buffer[start + 16]) << 8 | Int(buffer[start + 17])
    }
}
