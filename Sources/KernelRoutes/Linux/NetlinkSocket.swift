import CNLRoute
#if canImport(Glibc)
import Glibc
#endif

/// One NETLINK_ROUTE socket (libnl's nl_sock), freed on deinit. A netlink
/// socket belongs to the network namespace of the thread that created it,
/// for its whole life: create it on the thread, in the namespace, it must
/// act in.
final class NetlinkSocket {
    let raw: OpaquePointer

    init() throws {
        guard let sock = nl_socket_alloc() else {
            throw KernelError(operation: "nl_socket_alloc", code: Int32(NLE_NOMEM), message: "out of memory")
        }
        let err = nl_connect(sock, Int32(NETLINK_ROUTE))
        if err < 0 {
            nl_socket_free(sock)
            throw NetlinkSocket.error("nl_connect(NETLINK_ROUTE)", err)
        }
        raw = sock
        // Let the kernel filter dumps by table and protocol (Linux 4.20+).
        // Best effort: an older kernel dumps everything and the caller's
        // own filter still applies.
        var on: Int32 = 1
        _ = setsockopt(nl_socket_get_fd(sock), cnl_sol_netlink, cnl_netlink_get_strict_chk,
                       &on, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { nl_socket_free(raw) }

    /// A Swift error for a negative libnl return code.
    static func error(_ operation: String, _ code: Int32) -> KernelError {
        KernelError(operation: operation, code: abs(code), message: String(cString: nl_geterror(code)))
    }

    /// Sends a request built by libnl and waits for the kernel's
    /// acknowledgement. The message is freed here.
    func sendAndAck(_ msg: OpaquePointer, _ operation: String) throws {
        defer { nlmsg_free(msg) }
        let sent = nl_send_auto(raw, msg)
        if sent < 0 { throw NetlinkSocket.error(operation, sent) }
        let acked = nl_wait_for_ack(raw)
        if acked < 0 { throw NetlinkSocket.error(operation, acked) }
    }

    /// Sends a dump request and calls `each` with every answer's header
    /// until NLMSG_DONE. `each` runs on this thread, inside libnl's receive
    /// loop; it must not throw through C, so it returns an error instead.
    func dump(_ request: OpaquePointer, _ operation: String,
              each: (UnsafeMutablePointer<nlmsghdr>) -> KernelError?) throws {
        defer { nlmsg_free(request) }
        let sent = nl_send_auto(raw, request)
        if sent < 0 { throw NetlinkSocket.error(operation, sent) }
        guard let cb = nl_cb_alloc(NL_CB_DEFAULT) else {
            throw KernelError(operation: operation, code: Int32(NLE_NOMEM), message: "out of memory")
        }
        defer { nl_cb_put(cb) }
        try withoutActuallyEscaping(each) { each in
            let box = DumpContext(each)
            let context = Unmanaged.passUnretained(box).toOpaque()
            let callback: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Int32 = { msg, arg in
                guard let msg, let arg, let hdr = nlmsg_hdr(msg) else { return Int32(NL_SKIP.rawValue) }
                let box = Unmanaged<DumpContext>.fromOpaque(arg).takeUnretainedValue()
                if box.failure != nil { return Int32(NL_SKIP.rawValue) }
                box.failure = box.each(hdr)
                return Int32(NL_OK.rawValue)
            }
            nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, callback, context)
            let err = nl_recvmsgs(raw, cb)
            withExtendedLifetime(box) {}
            if err < 0 { throw NetlinkSocket.error(operation, err) }
            if let failure = box.failure { throw failure }
        }
    }
}

extension NetlinkSocket {
    /// `dump`, restarted (up to 3 times in all) when the kernel marks it
    /// inconsistent (NLM_F_DUMP_INTR: the table changed while it was read;
    /// libnl drains the rest and returns NLE_DUMP_INTR). `restart` clears
    /// what `each` collected before a new attempt.
    func consistentDump(_ build: () throws -> OpaquePointer, _ operation: String, restart: () -> Void,
                        each: (UnsafeMutablePointer<nlmsghdr>) -> KernelError?) throws {
        var attempt = 1
        while true {
            do {
                try dump(try build(), operation, each: each)
                return
            } catch let error as KernelError where error.code == Int32(NLE_DUMP_INTR) && attempt < 3 {
                attempt += 1
                restart()
            }
        }
    }
}

/// The state of one dump's callback: the handler and its first error.
private final class DumpContext {
    let each: (UnsafeMutablePointer<nlmsghdr>) -> KernelError?
    var failure: KernelError?
    init(_ each: @escaping (UnsafeMutablePointer<nlmsghdr>) -> KernelError?) { self.each = each }
}

/// libnl's nl_addr, wrapped: built from our bytes, freed on deinit.
final class NetlinkAddress {
    let raw: OpaquePointer

    init(_ address: KernelAddress, prefixLength: UInt8? = nil, operation: String) throws {
        let built = address.bytes.withUnsafeBytes {
            nl_addr_build(Int32(address.family.rawValue), $0.baseAddress, $0.count)
        }
        guard let built else {
            throw KernelError(operation: operation, code: Int32(NLE_NOMEM), message: "nl_addr_build failed")
        }
        raw = built
        nl_addr_set_prefixlen(raw, Int32(prefixLength ?? address.family.maxPrefixLength))
    }

    deinit { nl_addr_put(raw) }

    /// Our address from a libnl one we do not own (a getter's result).
    static func read(_ addr: OpaquePointer?) -> KernelAddress? {
        guard let addr, let data = nl_addr_get_binary_addr(addr) else { return nil }
        let length = Int(nl_addr_get_len(addr))
        guard length == 4 || length == 16 else { return nil }
        let bytes = Array(UnsafeRawBufferPointer(start: data, count: length))
        return KernelAddress(bytes: bytes)
    }
}

/// A request message (nlmsg_alloc_simple + a fixed header), owned by the
/// caller until handed to `NetlinkSocket.dump` or `sendAndAck`.
func netlinkRequest<Header>(type: Int32, flags: Int32, header: Header, operation: String) throws -> OpaquePointer {
    guard let msg = nlmsg_alloc_simple(type, flags) else {
        throw KernelError(operation: operation, code: Int32(NLE_NOMEM), message: "out of memory")
    }
    var header = header
    let err = withUnsafeMutableBytes(of: &header) {
        nlmsg_append(msg, $0.baseAddress, $0.count, Int32(NLMSG_ALIGNTO))
    }
    if err < 0 {
        nlmsg_free(msg)
        throw NetlinkSocket.error(operation, err)
    }
    return msg
}

/// Walks the attributes after a message's fixed header of `headerLength`
/// bytes, calling `each(type, payload)`.
func forEachAttribute(_ hdr: UnsafeMutablePointer<nlmsghdr>, headerLength: Int,
                      _ each: (Int32, UnsafeRawBufferPointer) -> Void) {
    var remaining = nlmsg_attrlen(hdr, Int32(headerLength))
    var attr = nlmsg_attrdata(hdr, Int32(headerLength))
    while let current = attr, nla_ok(current, remaining) != 0 {
        let payload = UnsafeRawBufferPointer(start: nla_data(current), count: Int(nla_len(current)))
        each(nla_type(current), payload)
        attr = nla_next(current, &remaining)
    }
}
