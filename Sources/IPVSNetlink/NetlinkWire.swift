/// Netlink messages as bytes: a writer for requests (header, generic
/// netlink header, attributes with nesting) and a reader for answers. Pure
/// code with no I/O, so IPVSTests checks it byte for byte. Host byte order
/// for netlink's own fields and for NLA_U16/U32/U64 payloads, as the
/// kernel expects; callers put network-order values (ports) in themselves.

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

/// Builds one or more netlink messages into a growing byte buffer. Many
/// requests can go into one buffer, and so into one sendmsg: the kernel
/// handles them in order and acknowledges each.
struct NetlinkWriter {
    private(set) var bytes: [UInt8] = []
    private var messageStart = 0
    private var nests: [Int] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    var count: Int { bytes.count }

    mutating func removeAll(keepingCapacity: Bool = true) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
        nests.removeAll()
    }

    /// Starts a generic netlink message; `endMessage` fills in its length.
    mutating func beginMessage(family: UInt16, flags: UInt16, sequence: UInt32, command: UInt8, version: UInt8) {
        precondition(nests.isEmpty, "a message began inside an open nest")
        messageStart = bytes.count
        appendHost(UInt32(0))  // nlmsg_len, filled in by endMessage
        appendHost(family)
        appendHost(flags)
        appendHost(sequence)
        appendHost(UInt32(0))  // nlmsg_pid: the kernel fills in the sender's
        bytes.append(command)
        bytes.append(version)
        appendHost(UInt16(0))
    }

    mutating func endMessage() {
        precondition(nests.isEmpty, "a message ended with an open nest")
        let length = bytes.count - messageStart
        storeHost(UInt32(length), at: messageStart)
    }

    mutating func put(_ type: UInt16, bytes payload: [UInt8]) {
        appendHost(UInt16(Netlink.attributeHeaderLength + payload.count))
        appendHost(type)
        bytes.append(contentsOf: payload)
        pad()
    }

    mutating func put(_ type: UInt16, u16 value: UInt16) { putScalar(type, value) }
    mutating func put(_ type: UInt16, u32 value: UInt32) { putScalar(type, value) }
    mutating func put(_ type: UInt16, u64 value: UInt64) { putScalar(type, value) }
    /// A 16-bit value sent in network byte order (IPVS ports).
    mutating func put(_ type: UInt16, be16 value: UInt16) { putScalar(type, value.bigEndian) }

    /// A NUL-terminated string (NLA_NUL_STRING).
    mutating func put(_ type: UInt16, string: String) {
        put(type, bytes: Array(string.utf8) + [0])
    }

    mutating func beginNest(_ type: UInt16) {
        nests.append(bytes.count)
        appendHost(UInt16(0))
        appendHost(type | Netlink.attributeNested)
    }

    mutating func endNest() {
        let start = nests.removeLast()
        storeHost(UInt16(bytes.count - start), at: start)
    }

    private mutating func putScalar<T: FixedWidthInteger>(_ type: UInt16, _ value: T) {
        appendHost(UInt16(Netlink.attributeHeaderLength + MemoryLayout<T>.size))
        appendHost(type)
        appendHost(value)
        pad()
    }

    private mutating func pad() {
        while bytes.count % 4 != 0 { bytes.append(0) }
    }

    private mutating func appendHost<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func storeHost<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (i, b) in raw.enumerated() { bytes[offset + i] = b }
        }
    }
}

/// One netlink message inside a received buffer.
struct NetlinkMessage {
    var type: UInt16
    var flags: UInt16
    var sequence: UInt32
    /// The bytes after the 16-byte header (for a generic netlink answer,
    /// the genlmsghdr and then the attributes).
    var payload: ArraySlice<UInt8>
}

/// The attributes of one level: type (with the nested and byte-order flags
/// masked off) and payload.
struct NetlinkAttributes: Sequence {
    let bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    struct Iterator: IteratorProtocol {
        var bytes: ArraySlice<UInt8>
        mutating func next() -> (type: UInt16, payload: ArraySlice<UInt8>)? {
            guard bytes.count >= Netlink.attributeHeaderLength else { return nil }
            let start = bytes.startIndex
            let length = Int(readHost(UInt16.self, bytes, start))
            let type = readHost(UInt16.self, bytes, start + 2) & Netlink.attributeTypeMask
            guard length >= Netlink.attributeHeaderLength, length <= bytes.count else { return nil }
            let payload = bytes[(start + Netlink.attributeHeaderLength)..<(start + length)]
            let advance = Swift.min(Netlink.align(length), bytes.count)
            bytes = bytes[(start + advance)...]
            return (type, payload)
        }
    }

    func makeIterator() -> Iterator { Iterator(bytes: bytes) }
}

/// Reads the netlink messages in one received datagram, stopping at a
/// truncated one.
func netlinkMessages(in buffer: ArraySlice<UInt8>) -> [NetlinkMessage] {
    var messages: [NetlinkMessage] = []
    var offset = buffer.startIndex
    while buffer.endIndex - offset >= Netlink.headerLength {
        let length = Int(readHost(UInt32.self, buffer, offset))
        guard length >= Netlink.headerLength, offset + length <= buffer.endIndex else { break }
        messages.append(NetlinkMessage(
            type: readHost(UInt16.self, buffer, offset + 4),
            flags: readHost(UInt16.self, buffer, offset + 6),
            sequence: readHost(UInt32.self, buffer, offset + 8),
            payload: buffer[(offset + Netlink.headerLength)..<(offset + length)]))
        offset += Netlink.align(length)
    }
    return messages
}

/// An integer in the host's byte order at `offset` (an absolute index).
@inline(__always)
func readHost<T: FixedWidthInteger>(_: T.Type, _ bytes: ArraySlice<UInt8>, _ offset: Int) -> T {
    var value: T = 0
    for i in 0..<MemoryLayout<T>.size {
        value |= T(bytes[offset + i]) << (8 * i)
    }
    return value  // little-endian hosts only (checked at compile time above)
}

extension ArraySlice where Element == UInt8 {
    /// A NLA_U8/U16/U32/U64 payload in host order, or nil when too short.
    func hostInteger<T: FixedWidthInteger>(_: T.Type) -> T? {
        count >= MemoryLayout<T>.size ? readHost(T.self, self, startIndex) : nil
    }

    /// A NUL-terminated string payload.
    var cString: String {
        let end = firstIndex(of: 0) ?? endIndex
        return String(decoding: self[startIndex..<end], as: UTF8.self)
    }
}
