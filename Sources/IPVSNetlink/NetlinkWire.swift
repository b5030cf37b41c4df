/// Netlink messages as bytes: a writer for requests (header, generic
/// netlink header, attributes with nesting) and readers for answers. Pure
/// code with no I/O, so IPVSTests checks it byte for byte. Host byte order
/// (little-endian here) for netlink's own fields and for NLA_U16/U32/U64
/// payloads, as the kernel expects; ports go in network order (be16).

#if _endian(big)
#error("NetlinkWire writes and reads netlink's host-order fields as little-endian")
#endif

/// Netlink framing constants (linux/netlink.h, linux/genetlink.h).
enum Netlink {
    static let headerLength = 16      // struct nlmsghdr
    static let genlHeaderLength = 4   // struct genlmsghdr
    static let attributeHeaderLength = 4
    static let typeError: UInt16 = 2  // NLMSG_ERROR
    static let typeDone: UInt16 = 3   // NLMSG_DONE
    static let flagRequest: UInt16 = 0x1
    static let flagMulti: UInt16 = 0x2
    static let flagAck: UInt16 = 0x4
    static let flagDumpInterrupted: UInt16 = 0x10
    static let flagDump: UInt16 = 0x300
    static let flagAckTLVs: UInt16 = 0x200  // in an NLMSG_ERROR: extended ack attributes follow
    static let attributeNested: UInt16 = 0x8000  // NLA_F_NESTED
    static let attributeTypeMask: UInt16 = 0x3fff

    static func align(_ n: Int) -> Int { (n + 3) & ~3 }
}

/// Builds one or more netlink messages into a growing buffer of its own.
/// Many requests can go into one buffer, and so into one sendmsg: the
/// kernel handles them in order and acknowledges each. Each field is one
/// 32-bit store into room reserved once per attribute, so that even a debug
/// build encodes quickly.
final class NetlinkWriter {
    private var storage: UnsafeMutableRawBufferPointer
    private(set) var count = 0
    private var messageStart = 0
    private var nests: [Int] = []

    init(capacity: Int = 4096) {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(capacity, 64), alignment: 8)
    }

    deinit { storage.deallocate() }

    /// The bytes written so far; valid until the next write or removeAll.
    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage.baseAddress, count: count) }

    /// A copy of the bytes written so far.
    var bytes: [UInt8] { [UInt8](buffer) }

    /// Changes at every removeAll: offsets remembered from before are stale.
    private(set) var generation = 0

    func removeAll() {
        count = 0
        generation += 1
        nests.removeAll(keepingCapacity: true)
    }

    /// Starts a generic netlink message; `endMessage` fills in its length.
    func beginMessage(family: UInt16, flags: UInt16, sequence: UInt32, command: UInt8, version: UInt8) {
        precondition(nests.isEmpty, "a message began inside an open nest")
        reserve(20)
        messageStart = count
        store32(0, at: count)  // nlmsg_len, filled in by endMessage
        store32(UInt32(family) | UInt32(flags) &<< 16, at: count + 4)
        store32(sequence, at: count + 8)
        store32(0, at: count + 12)  // nlmsg_pid: the kernel fills in the sender's
        store32(UInt32(command) | UInt32(version) &<< 8, at: count + 16)  // genlmsghdr
        count += 20
    }

    func endMessage() {
        precondition(nests.isEmpty, "a message ended with an open nest")
        store32(UInt32(count - messageStart), at: messageStart)
    }

    func put(_ type: UInt16, bytes payload: [UInt8]) {
        reserve(Netlink.attributeHeaderLength + payload.count + 3)
        header(type, payload.count)
        payload.withUnsafeBytes { src in
            if let from = src.baseAddress { (storage.baseAddress! + count).copyMemory(from: from, byteCount: src.count) }
        }
        count += payload.count
        pad()
    }

    func put(_ type: UInt16, u16 value: UInt16) {
        reserve(8)
        header(type, 2)
        store32(UInt32(value), at: count)  // the value, then two bytes of padding
        count += 4
    }

    func put(_ type: UInt16, u32 value: UInt32) {
        reserve(8)
        header(type, 4)
        store32(value, at: count)
        count += 4
    }

    func put(_ type: UInt16, u64 value: UInt64) {
        reserve(12)
        header(type, 8)
        store32(UInt32(truncatingIfNeeded: value), at: count)
        store32(UInt32(truncatingIfNeeded: value &>> 32), at: count + 4)
        count += 8
    }

    /// A 16-bit value sent in network byte order (IPVS ports).
    func put(_ type: UInt16, be16 value: UInt16) { put(type, u16: value.byteSwapped) }

    /// A NUL-terminated string (NLA_NUL_STRING).
    func put(_ type: UInt16, string: String) {
        let utf8 = string.utf8
        reserve(Netlink.attributeHeaderLength + utf8.count + 4)
        header(type, utf8.count + 1)
        for b in utf8 {
            storage[count] = b
            count += 1
        }
        storage[count] = 0
        count += 1
        pad()
    }

    /// Copies bytes written earlier (from `start`, `length` of them) to the
    /// end: a service nest repeated in a batch of real-server requests.
    func repeatBytes(from start: Int, length: Int) {
        reserve(length)
        (storage.baseAddress! + count).copyMemory(from: storage.baseAddress! + start, byteCount: length)
        count += length
    }

    func beginNest(_ type: UInt16) {
        reserve(Netlink.attributeHeaderLength)
        nests.append(count)
        header(type | Netlink.attributeNested, 0)
    }

    func endNest() {
        let start = nests.removeLast()
        let type = UInt32(le16(UnsafeRawBufferPointer(storage), start + 2))
        store32(UInt32(count - start) | type &<< 16, at: start)
    }

    /// An attribute's header: its length (header included) and type. The
    /// caller has reserved the room.
    private func header(_ type: UInt16, _ payloadLength: Int) {
        store32(UInt32(Netlink.attributeHeaderLength + payloadLength) | UInt32(type) &<< 16, at: count)
        count += Netlink.attributeHeaderLength
    }

    private func pad() {
        while count & 3 != 0 {
            storage[count] = 0
            count += 1
        }
    }

    private func reserve(_ n: Int) {
        if count + n <= storage.count { return }
        let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(storage.count * 2, count + n), alignment: 8)
        grown.baseAddress!.copyMemory(from: storage.baseAddress!, byteCount: count)
        storage.deallocate()
        storage = grown
    }

    /// A little-endian 32-bit store (unaligned stores are allowed); the
    /// caller has reserved the room.
    private func store32(_ v: UInt32, at o: Int) {
        storage.baseAddress!.storeBytes(of: v.littleEndian, toByteOffset: o, as: UInt32.self)
    }
}

/// One netlink message inside a received buffer. `payload` points into
/// the receive buffer: valid only while the message is being handled.
struct NetlinkMessage {
    var type: UInt16
    var flags: UInt16
    var sequence: UInt32
    /// The bytes after the 16-byte header (for a generic netlink answer,
    /// the genlmsghdr and then the attributes).
    var payload: UnsafeRawBufferPointer
}

// Readers over raw bytes. Concrete types and byte loads only, so that even
// a debug build reads a 10,000-entry dump quickly.

@inline(__always)
func le16(_ p: UnsafeRawBufferPointer, _ o: Int) -> UInt16 {
    p.loadUnaligned(fromByteOffset: o, as: UInt16.self)
}

@inline(__always)
func le32(_ p: UnsafeRawBufferPointer, _ o: Int) -> UInt32 {
    p.loadUnaligned(fromByteOffset: o, as: UInt32.self)
}

@inline(__always)
func le64(_ p: UnsafeRawBufferPointer, _ o: Int) -> UInt64 {
    p.loadUnaligned(fromByteOffset: o, as: UInt64.self)
}

/// `count` bytes from `offset` of `p`, as a buffer of their own.
@inline(__always)
func subrange(_ p: UnsafeRawBufferPointer, _ offset: Int, _ count: Int) -> UnsafeRawBufferPointer {
    guard let base = p.baseAddress else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: base + offset, count: count)
}

/// Calls `body` with each attribute of one level: its type (nested and
/// byte-order flags masked off) and payload. Stops at a malformed one.
func forEachAttribute(_ p: UnsafeRawBufferPointer, _ body: (UInt16, UnsafeRawBufferPointer) throws -> Void) rethrows {
    var offset = 0
    let end = p.count
    while end - offset >= Netlink.attributeHeaderLength {
        let length = Int(le16(p, offset))
        let type = le16(p, offset + 2) & Netlink.attributeTypeMask
        guard length >= Netlink.attributeHeaderLength, length <= end - offset else { return }
        try body(type, subrange(p, offset + Netlink.attributeHeaderLength, length - Netlink.attributeHeaderLength))
        offset += Netlink.align(length)
    }
}

/// The attributes of one level, for a loop with no closure:
/// `var it = AttributeIterator(p); while let (type, payload) = it.next() {}`.
struct AttributeIterator {
    let p: UnsafeRawBufferPointer
    var offset = 0

    init(_ p: UnsafeRawBufferPointer) { self.p = p }

    mutating func next() -> (UInt16, UnsafeRawBufferPointer)? {
        guard p.count - offset >= Netlink.attributeHeaderLength else { return nil }
        let header = le32(p, offset)  // nla_len, then nla_type
        let length = Int(header & 0xffff)
        let type = UInt16(truncatingIfNeeded: header &>> 16) & Netlink.attributeTypeMask
        guard length >= Netlink.attributeHeaderLength, length <= p.count - offset else { return nil }
        let payload = subrange(p, offset + Netlink.attributeHeaderLength, length - Netlink.attributeHeaderLength)
        offset += (length + 3) & ~3
        return (type, payload)
    }
}

/// The payload of the first attribute of `type` at one level.
func attribute(_ type: UInt16, in p: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
    var attributes = AttributeIterator(p)
    while let (t, payload) = attributes.next() {
        if t == type { return payload }
    }
    return nil
}

/// Calls `body` with each netlink message in one received datagram,
/// stopping at a truncated one.
func forEachMessage(_ p: UnsafeRawBufferPointer, _ body: (NetlinkMessage) throws -> Void) rethrows {
    var offset = 0
    while p.count - offset >= Netlink.headerLength {
        let length = Int(le32(p, offset))
        guard length >= Netlink.headerLength, length <= p.count - offset else { return }
        try body(NetlinkMessage(
            type: le16(p, offset + 4), flags: le16(p, offset + 6), sequence: le32(p, offset + 8),
            payload: subrange(p, offset + Netlink.headerLength, length - Netlink.headerLength)))
        offset += Netlink.align(length)
    }
}

extension UnsafeRawBufferPointer {
    var u16: UInt16? { count >= 2 ? le16(self, 0) : nil }
    var u32: UInt32? { count >= 4 ? le32(self, 0) : nil }
    var u64: UInt64? { count >= 8 ? le64(self, 0) : nil }

    /// A NUL-terminated string payload.
    var cString: String {
        var end = 0
        while end < count && self[end] != 0 { end += 1 }
        return String(decoding: subrange(self, 0, end), as: UTF8.self)
    }

    var bytes: [UInt8] { [UInt8](self) }
}
