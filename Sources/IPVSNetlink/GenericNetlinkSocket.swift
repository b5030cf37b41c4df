import CNLGenl
#if canImport(Glibc)
import Glibc
#endif

/// One NETLINK_GENERIC socket (libnl's nl_sock, wrapped and freed on
/// deinit), connected and with the "IPVS" family's id resolved by libnl-genl
/// (genl_ctrl_resolve). Requests are our own bytes (NetlinkWire), sent with
/// nl_sendto, many to a call when batched; answers are read from the
/// socket's descriptor into one reused buffer and parsed in Swift.
///
/// A netlink socket belongs to the network namespace of the thread that
/// created it. One owner; not thread-safe.
final class GenericNetlinkSocket {
    private let raw: OpaquePointer
    private let fd: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    private var nextSequence: UInt32 = 1
    let familyID: UInt16

    /// Receive buffer for answers: a dump datagram is at most a few pages;
    /// the socket's queue (SO_RCVBUF) holds the acknowledgements of a batch.
    static let receiveBufferBytes = 1 << 20
    static let socketReceiveQueueBytes: Int32 = 8 << 20
    static let socketSendQueueBytes: Int32 = 2 << 20

    init(family name: String, missing: String) throws {
        guard let sock = nl_socket_alloc() else {
            throw IPVSError(operation: "nl_socket_alloc", code: Int32(NLE_NOMEM), message: "out of memory")
        }
        var err = genl_connect(sock)
        if err < 0 {
            nl_socket_free(sock)
            throw Self.libnlError("genl_connect", err)
        }
        err = genl_ctrl_resolve(sock, name)
        if err < 0 {
            nl_socket_free(sock)
            if err == -NLE_OBJ_NOTFOUND {
                throw IPVSError(operation: "resolve the \(name) generic netlink family", code: Int32(NLE_OBJ_NOTFOUND),
                                message: missing)
            }
            throw Self.libnlError("genl_ctrl_resolve(\(name))", err)
        }
        raw = sock
        familyID = UInt16(err)
        fd = nl_socket_get_fd(sock)
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.receiveBufferBytes, alignment: 8)
        // Room for a batch's acknowledgements: an overrun drops them
        // (ENOBUFS). FORCE needs CAP_NET_ADMIN, which IPVS needs anyway;
        // without it the plain option still raises the queue to rmem_max.
        setBuffer(SO_RCVBUFFORCE, SO_RCVBUF, Self.socketReceiveQueueBytes)
        setBuffer(SO_SNDBUFFORCE, SO_SNDBUF, Self.socketSendQueueBytes)
        // Acknowledgements of errors carry only the request's header, and
        // the kernel's explanation when it has one.
        var on: Int32 = 1
        _ = setsockopt(fd, Int32(SOL_NETLINK), Int32(NETLINK_CAP_ACK), &on, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(fd, Int32(SOL_NETLINK), Int32(NETLINK_EXT_ACK), &on, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit {
        nl_socket_free(raw)
        buffer.deallocate()
    }

    private func setBuffer(_ force: Int32, _ plain: Int32, _ bytes: Int32) {
        var value = bytes
        if setsockopt(fd, SOL_SOCKET, force, &value, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, plain, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    static func libnlError(_ operation: String, _ code: Int32) -> IPVSError {
        IPVSError(operation: operation, code: abs(code), message: String(cString: nl_geterror(code)))
    }

    /// Sequence numbers for `count` requests.
    func reserveSequences(_ count: Int) -> UInt32 {
        let first = nextSequence
        nextSequence &+= UInt32(count)
        if nextSequence == 0 { nextSequence = 1 }
        return first
    }

    /// Sends bytes holding one or more whole requests in one call.
    func send(_ bytes: UnsafeRawBufferPointer, _ operation: String) throws {
        let sent = nl_sendto(raw, UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        if sent < 0 { throw Self.libnlError(operation, sent) }
    }

    /// Receives one datagram and calls `each` with its messages.
    func receive(_ operation: String, _ each: (NetlinkMessage) throws -> Void) throws {
        var n: Int
        repeat {
            n = recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_TRUNC))
        } while n < 0 && errno == EINTR
        if n < 0 {
            let code = errno
            let text = code == ENOBUFS ? "the socket's queue overflowed and answers were lost"
                : String(cString: strerror(code))
            throw IPVSError(operation: operation, code: code, message: text)
        }
        if n > buffer.count {
            throw IPVSError(operation: operation, code: EMSGSIZE,
                            message: "an answer of \(n) bytes did not fit the \(buffer.count)-byte buffer")
        }
        try forEachMessage(UnsafeRawBufferPointer(start: buffer.baseAddress, count: n), each)
    }

    /// Waits for the acknowledgements of the requests numbered `first`
    /// ..< `first + count`; returns each one's errno (0 for success) and the
    /// kernel's extended-ack text, in order.
    func acknowledgements(first: UInt32, count: Int, _ operation: String) throws -> [(Int32, String?)] {
        var results = [(Int32, String?)?](repeating: nil, count: count)
        var pending = count
        while pending > 0 {
            try receive(operation) { message in
                guard let (code, text) = IPVSAnswer.error(message) else { return }
                let index = Int(message.sequence &- first)
                guard index >= 0, index < count, results[index] == nil else { return }
                results[index] = (code, text)
                pending -= 1
            }
        }
        return results.map { $0! }
    }

    /// Waits for the acknowledgement of request `first + count - 1`, the
    /// last of a batch and the only one that asked for it; the kernel
    /// handles a batch's requests in order and answers every failure, so
    /// by then each failure is in. Returns the failures: the request's
    /// offset in the batch, its errno and the kernel's text.
    func batchFailures(first: UInt32, count: Int, _ operation: String) throws -> [(offset: Int, code: Int32, text: String?)] {
        var failures: [(offset: Int, code: Int32, text: String?)] = []
        var done = false
        while !done {
            try receive(operation) { message in
                guard let (code, text) = IPVSAnswer.error(message) else { return }
                let offset = Int(message.sequence &- first)
                guard offset >= 0, offset < count, !done else { return }
                if code != 0 { failures.append((offset, code, text)) }
                if offset == count - 1 { done = true }
            }
        }
        return failures
    }

    /// Sends a dump request and calls `each` with every answer's payload
    /// until NLMSG_DONE. Returns false when the kernel marked the dump as
    /// interrupted (the table changed while it was read).
    func dump(_ request: UnsafeRawBufferPointer, sequence: UInt32, _ operation: String,
              each: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        try send(request, operation)
        var done = false
        var consistent = true
        while !done {
            try receive(operation) { message in
                guard message.sequence == sequence, !done else { return }
                if message.flags & Netlink.flagDumpInterrupted != 0 { consistent = false }
                switch message.type {
                case Netlink.typeDone:
                    done = true
                case Netlink.typeError:
                    let (code, text) = IPVSAnswer.error(message) ?? (EPROTO, nil)
                    if code == 0 { done = true; return }
                    throw IPVSError(operation: operation, code: code,
                                    message: text ?? String(cString: strerror(code)))
                case familyID:
                    try each(message.payload)
                default:
                    break
                }
            }
        }
        return consistent
    }
}
