import CNLRoute
import KernelRoutes
import Layer2Frames
#if canImport(Glibc)
import Glibc
#endif

/// The kernel's links over libnl-route-3, with their changes pushed by the
/// kernel (RTNLGRP_LINK notifications), so a link that goes down or comes
/// back is known at once rather than at the next poll.
///
/// Its sockets are opened in `init`, in the network namespace of the
/// creating thread; the reader thread `start` makes reads them there,
/// whatever namespace it would otherwise be in. That thread waits in poll(2)
/// on the notification socket and on a wake-up pipe, so `stop` ends it at
/// once (it joins the thread; only a handler that blocks can delay it).
///
/// The kernel repeats RTM_NEWLINK for many reasons (statistics, addresses,
/// MTU); the handler hears only changes of what `LinkInfo` holds. When the
/// notification queue overflows (ENOBUFS), the monitor dumps the links again
/// and reports the differences, removals included. Bridge-port messages
/// (family AF_BRIDGE) are not link changes and are ignored.
///
/// `links` and `start`/`stop` belong to one owner; the handler runs on the
/// reader thread.
public final class NetlinkLinkMonitor: LinkMonitor {
    private let dumpSocket: LibnlSocket
    private let loop: MonitorLoop
    private var thread: pthread_t?

    public convenience init() throws {
        try self.init(receiveBufferBytes: 1 << 20)
    }

    /// `receiveBufferBytes` sizes the notification socket's queue (SO_RCVBUF);
    /// the tests make it tiny to force an overflow and a resynchronisation.
    init(receiveBufferBytes: Int32) throws {
        dumpSocket = try LibnlSocket(joiningLinkGroup: false)
        loop = try MonitorLoop(receiveBufferBytes: receiveBufferBytes)
    }

    /// How many times lost notifications made the monitor dump the links
    /// again. Read it after `stop` (the reader thread writes it).
    var resynchronisations: Int { loop.resynchronisations }

    deinit { stop() }

    public func links() throws -> [LinkInfo] {
        try dumpSocket.dumpLinks()
    }

    public func start(_ handler: @escaping @Sendable (LinkEvent) -> Void) throws {
        guard thread == nil else {
            throw KernelError(operation: "start link monitor", code: 0, message: "already started")
        }
        try loop.prepare(handler)
        var tid = pthread_t()
        let context = Unmanaged.passRetained(loop).toOpaque()
        let err = pthread_create(&tid, nil, { arg in
            let loop = Unmanaged<MonitorLoop>.fromOpaque(arg!).takeRetainedValue()
            loop.run()
            return nil
        }, context)
        if err != 0 {
            Unmanaged<MonitorLoop>.fromOpaque(context).release()
            throw KernelError(operation: "start link monitor", code: 0, message: String(cString: strerror(err)))
        }
        thread = tid
    }

    public func stop() {
        guard let tid = thread else { return }
        loop.wake()
        pthread_join(tid, nil)
        loop.drainWake()
        thread = nil
    }
}

/// The reader thread's state: touched by `prepare` before the thread starts
/// and by the thread alone afterwards (pthread_create and pthread_join
/// order those accesses), hence the unchecked Sendable.
private final class MonitorLoop: @unchecked Sendable {
    private let events: LibnlSocket
    private let resync: LibnlSocket
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private var handler: (@Sendable (LinkEvent) -> Void)?
    /// What the handler was last told about each link, by index.
    private var known: [UInt32: LinkInfo] = [:]

    private(set) var resynchronisations = 0
    /// Set while the queue is emptied before a resynchronisation.
    private var discarding = false

    init(receiveBufferBytes: Int32) throws {
        events = try LibnlSocket(joiningLinkGroup: true, receiveBufferBytes: receiveBufferBytes)
        resync = try LibnlSocket(joiningLinkGroup: false)
        var fds: [Int32] = [0, 0]
        if pipe(&fds) != 0 {
            let code = errno
            throw KernelError(operation: "pipe", code: 0, message: String(cString: strerror(code)))
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        let callback: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Int32 = { msg, arg in
            guard let msg, let arg, let hdr = nlmsg_hdr(msg) else { return Int32(NL_SKIP.rawValue) }
            let loop = Unmanaged<MonitorLoop>.fromOpaque(arg).takeUnretainedValue()
            loop.received(msg, type: Int(hdr.pointee.nlmsg_type))
            return Int32(NL_OK.rawValue)
        }
        // Unretained: the loop owns the socket, so it outlives every callback.
        nl_socket_modify_cb(events.raw, NL_CB_VALID, NL_CB_CUSTOM, callback,
                            Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Takes the handler and the links as they are now, the base for
    /// telling changes from repeats.
    func prepare(_ handler: @escaping @Sendable (LinkEvent) -> Void) throws {
        self.handler = handler
        known = Dictionary(try resync.dumpLinks().map { ($0.index, $0) }, uniquingKeysWith: { $1 })
    }

    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    func drainWake() {
        var buffer = [UInt8](repeating: 0, count: 16)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    func run() {
        var fds = [pollfd(fd: nl_socket_get_fd(events.raw), events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[1].revents != 0 || fds[0].revents & Int16(POLLNVAL) != 0 { return }
            if fds[0].revents & Int16(POLLIN | POLLERR) != 0 {
                let err = nl_recvmsgs_default(events.raw)
                // ENOBUFS (libnl: NLE_NOMEM): notifications were dropped.
                if err == -Int32(NLE_NOMEM) { resynchronise() }
            }
        }
    }

    /// One notification: RTM_NEWLINK or RTM_DELLINK parsed by libnl.
    fileprivate func received(_ msg: OpaquePointer, type: Int) {
        guard !discarding, type == Int(RTM_NEWLINK) || type == Int(RTM_DELLINK) else { return }
        var parsed: OpaquePointer?
        let collect: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void = { object, arg in
            guard let object, let arg else { return }
            let slot = arg.assumingMemoryBound(to: OpaquePointer?.self)
            if slot.pointee == nil {
                nl_object_get(object)
                slot.pointee = object
            }
        }
        _ = withUnsafeMutablePointer(to: &parsed) { nl_msg_parse(msg, collect, $0) }
        guard let link = parsed else { return }
        defer { nl_object_put(link) }
        guard rtnl_link_get_family(link) == AF_UNSPEC else { return }
        let info = LinkInfo(libnlLink: link)
        if type == Int(RTM_DELLINK) {
            known.removeValue(forKey: info.index)
            handler?(.removed(index: info.index, name: info.name))
        } else if known[info.index] != info {
            known[info.index] = info
            handler?(.changed(info))
        }
    }

    /// After lost notifications: the links now, against what was reported.
    /// The kernel reports the overflow before the notifications still
    /// queued, which are older than the overflow; they are dropped first,
    /// or one of them (a link's RTM_NEWLINK whose RTM_DELLINK was lost)
    /// would undo the dump. What arrives after the drain is newer and is
    /// handled as usual.
    private func resynchronise() {
        resynchronisations += 1
        discarding = true
        for _ in 0..<100_000 {
            let err = nl_recvmsgs_default(events.raw)
            if err < 0 && err != -Int32(NLE_NOMEM) { break }  // NLE_AGAIN: empty
        }
        discarding = false
        guard let now = try? resync.dumpLinks() else { return }
        let current = Dictionary(now.map { ($0.index, $0) }, uniquingKeysWith: { $1 })
        for (index, old) in known.sorted(by: { $0.key < $1.key }) where current[index] == nil {
            handler?(.removed(index: index, name: old.name))
        }
        for info in now where known[info.index] != info {
            handler?(.changed(info))
        }
        known = current
    }
}

/// A NETLINK_ROUTE libnl socket, optionally in the link notification group
/// (then non-blocking, without sequence checks, with a large receive buffer
/// so a burst of changes is not dropped). Freed on deinit.
private final class LibnlSocket {
    let raw: OpaquePointer

    init(joiningLinkGroup: Bool, receiveBufferBytes: Int32 = 1 << 20) throws {
        guard let sock = nl_socket_alloc() else {
            throw KernelError(operation: "nl_socket_alloc", code: Int32(NLE_NOMEM), message: "out of memory")
        }
        raw = sock
        var err = nl_connect(sock, Int32(NETLINK_ROUTE))
        if err >= 0 && joiningLinkGroup {
            nl_socket_disable_seq_check(sock)
            err = nl_socket_add_membership(sock, Int32(RTNLGRP_LINK.rawValue))
            if err >= 0 { err = nl_socket_set_nonblocking(sock) }
            if err >= 0 { _ = nl_socket_set_buffer_size(sock, receiveBufferBytes, 0) }
        }
        if err < 0 {
            throw KernelError(operation: "netlink link socket", code: abs(err), message: String(cString: nl_geterror(err)))
        }
    }

    deinit { nl_socket_free(raw) }

    /// Every link (RTM_GETLINK dump into a libnl cache), retried when the
    /// kernel marks the dump inconsistent.
    func dumpLinks() throws -> [LinkInfo] {
        var attempt = 1
        while true {
            var cache: OpaquePointer?
            let err = rtnl_link_alloc_cache(raw, AF_UNSPEC, &cache)
            if err == -Int32(NLE_DUMP_INTR) && attempt < 3 {
                attempt += 1
                continue
            }
            guard err >= 0, let cache else {
                throw KernelError(operation: "list links", code: abs(err), message: String(cString: nl_geterror(err)))
            }
            defer { nl_cache_free(cache) }
            var links: [LinkInfo] = []
            var object = nl_cache_get_first(cache)
            while let link = object {
                links.append(LinkInfo(libnlLink: link))
                object = nl_cache_get_next(link)
            }
            return links.sorted { $0.index < $1.index }
        }
    }
}

extension LinkInfo {
    /// IFF_UP, IFF_RUNNING and IFF_LOWER_UP (linux/if.h; the last is not in
    /// Glibc's net/if.h).
    static let flagUp: UInt32 = 0x1
    static let flagRunning: UInt32 = 0x40
    static let flagLowerUp: UInt32 = 0x10000
    /// ARPHRD_ETHER: the link types whose address is a MAC (Ethernet, veth,
    /// bridge, bond, VLAN, macvlan); lo reports six zero bytes, not a MAC.
    static let arpTypeEthernet: UInt32 = 1

    /// From a libnl rtnl_link (not owned here).
    init(libnlLink link: OpaquePointer) {
        let index = UInt32(bitPattern: rtnl_link_get_ifindex(link))
        let flags = rtnl_link_get_flags(link)
        var mac: MACAddress?
        if rtnl_link_get_arptype(link) == Self.arpTypeEthernet, let addr = rtnl_link_get_addr(link),
           nl_addr_get_len(addr) == 6, let data = nl_addr_get_binary_addr(addr) {
            let bytes = Array(UnsafeRawBufferPointer(start: data, count: 6))
            if bytes != MACAddress.zero.bytes { mac = MACAddress(bytes: bytes) }
        }
        self.init(index: index, name: rtnl_link_get_name(link).map { String(cString: $0) } ?? "if\(index)",
                  mac: mac, adminUp: flags & Self.flagUp != 0,
                  carrier: flags & (Self.flagLowerUp | Self.flagRunning) != 0)
    }
}
