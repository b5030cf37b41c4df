/// Thrown when a read would run past the end of the bytes being parsed.
/// Every parser turns it into the RFC outcome of its own context.
public struct Truncated: Error, Hashable, Sendable {
    public init() {}
}

/// A bounds-checked cursor over borrowed bytes. Reads never trap: a short
/// buffer throws `Truncated`. Valid only inside the `withUnsafeBytes` scope
/// that produced it.
@usableFromInline
struct ByteReader {
    @usableFromInline let base: UnsafeRawPointer?
    @usableFromInline var position: Int
    @usableFromInline let end: Int

    @inlinable
    init(_ buffer: UnsafeRawBufferPointer) {
        base = buffer.baseAddress
        position = 0
        end = buffer.count
    }

    @inlinable
    init(base: UnsafeRawPointer?, position: Int, end: Int) {
        self.base = base
        self.position = position
        self.end = end
    }

    @inlinable var remaining: Int { end - position }
    @inlinable var isAtEnd: Bool { position >= end }

    @inlinable
    mutating func u8() throws(Truncated) -> UInt8 {
        guard position < end, let base else { throw Truncated() }
        let v = base.load(fromByteOffset: position, as: UInt8.self)
        position += 1
        return v
    }

    @inlinable
    mutating func u16() throws(Truncated) -> UInt16 {
        guard end - position >= 2, let base else { throw Truncated() }
        let v = UInt16(bigEndian: base.loadUnaligned(fromByteOffset: position, as: UInt16.self))
        position += 2
        return v
    }

    @inlinable
    mutating func u24() throws(Truncated) -> UInt32 {
        guard end - position >= 3, let base else { throw Truncated() }
        let v = UInt32(base.load(fromByteOffset: position, as: UInt8.self)) << 16
            | UInt32(base.load(fromByteOffset: position + 1, as: UInt8.self)) << 8
            | UInt32(base.load(fromByteOffset: position + 2, as: UInt8.self))
        position += 3
        return v
    }

    @inlinable
    mutating func u32() throws(Truncated) -> UInt32 {
        guard end - position >= 4, let base else { throw Truncated() }
        let v = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: position, as: UInt32.self))
        position += 4
        return v
    }

    @inlinable
    mutating func u64() throws(Truncated) -> UInt64 {
        guard end - position >= 8, let base else { throw Truncated() }
        let v = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        position += 8
        return v
    }

    /// Copies `count` bytes out.
    @inlinable
    mutating func bytes(_ count: Int) throws(Truncated) -> [UInt8] {
        guard count >= 0, end - position >= count else { throw Truncated() }
        guard count > 0, let base else { return [] }
        let out = [UInt8](UnsafeRawBufferPointer(start: base + position, count: count))
        position += count
        return out
    }

    /// Splits off a sub-reader over the next `count` bytes and skips them.
    @inlinable
    mutating func sub(_ count: Int) throws(Truncated) -> ByteReader {
        guard count >= 0, end - position >= count else { throw Truncated() }
        let r = ByteReader(base: base, position: position, end: position + count)
        position += count
        return r
    }

    @inlinable
    mutating func skip(_ count: Int) throws(Truncated) {
        guard count >= 0, end - position >= count else { throw Truncated() }
        position += count
    }

    /// The rest of the bytes, copied.
    @inlinable
    mutating func rest() -> [UInt8] {
        (try? bytes(remaining)) ?? []
    }

    @inlinable
    func peek(_ offset: Int = 0) -> UInt8? {
        guard position + offset < end, let base else { return nil }
        return base.load(fromByteOffset: position + offset, as: UInt8.self)
    }
}
