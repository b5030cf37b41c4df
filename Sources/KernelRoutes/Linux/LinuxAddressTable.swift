import CNLRoute
#if canImport(Glibc)
import Glibc
#endif

/// Interface addresses over libnl-route-3: rtnl_addr builds the add and
/// delete requests; IFA_PROTO (Linux 5.18), which libnl 3.7 has no setter
/// for, is appended to the add request as one more attribute. Listing is an
/// RTM_GETADDR dump parsed here, so that IFA_PROTO is read back too.
///
/// Acts in the network namespace of the thread that created it. One owner.
public final class LinuxAddressTable: AddressTable {
    private let socket: NetlinkSocket
    private let links: LinuxLinkTable

    public init() throws {
        socket = try NetlinkSocket()
        links = try LinuxLinkTable()
    }

    public func interfaceIndex(named name: String) throws -> UInt32 {
        try links.index(named: name)
    }

    public func add(_ address: InterfaceAddress) throws {
        let operation = "add \(address)"
        let object = try LibnlAddress(address, operation: operation)
        var msg: OpaquePointer?
        let built = rtnl_addr_build_add_request(object.raw, Int32(NLM_F_CREATE | NLM_F_REPLACE), &msg)
        guard built >= 0, let msg else { throw NetlinkSocket.error(operation, built) }
        if address.proto != 0, nla_put_u8(msg, cnl_ifa_proto, address.proto) < 0 {
            nlmsg_free(msg)
            throw KernelError(operation: operation, code: Int32(NLE_NOMEM), message: "message too small")
        }
        try socket.sendAndAck(msg, operation)
    }

    public func remove(_ address: InterfaceAddress) throws {
        let operation = "remove \(address)"
        let object = try LibnlAddress(address, operation: operation)
        let err = rtnl_addr_delete(socket.raw, object.raw, 0)
        if err < 0 { throw NetlinkSocket.error(operation, err) }
    }

    public func list(interfaceIndex: UInt32?) throws -> [InterfaceAddress] {
        let operation = "list addresses" + (interfaceIndex.map { " of if\($0)" } ?? "")
        var request = ifaddrmsg()
        request.ifa_family = UInt8(AF_UNSPEC)
        request.ifa_index = interfaceIndex ?? 0  // a filter under strict checking
        let build = {
            try netlinkRequest(type: Int32(RTM_GETADDR), flags: Int32(NLM_F_DUMP), header: request,
                               operation: operation)
        }
        var result: [InterfaceAddress] = []
        try socket.consistentDump(build, operation, restart: { result.removeAll() }) { hdr in
            guard let address = Self.parse(hdr), interfaceIndex == nil || address.interfaceIndex == interfaceIndex
            else { return nil }
            result.append(address)
            return nil
        }
        return result
    }

    /// One RTM_NEWADDR answer: the ifaddrmsg header and its attributes.
    static func parse(_ hdr: UnsafeMutablePointer<nlmsghdr>) -> InterfaceAddress? {
        let headerLength = MemoryLayout<ifaddrmsg>.size
        guard Int(hdr.pointee.nlmsg_len) >= MemoryLayout<nlmsghdr>.size + headerLength,
              let data = nlmsg_data(hdr) else { return nil }
        let ifa = data.loadUnaligned(as: ifaddrmsg.self)
        var local: KernelAddress?
        var peer: KernelAddress?
        var flags = UInt32(ifa.ifa_flags)
        var proto: UInt8 = 0
        forEachAttribute(hdr, headerLength: headerLength) { type, payload in
            switch type {
            case cnl_ifa_local: local = KernelAddress(bytes: Array(payload))
            case cnl_ifa_address: peer = KernelAddress(bytes: Array(payload))
            case cnl_ifa_flags where payload.count >= 4: flags = payload.loadUnaligned(as: UInt32.self)
            case cnl_ifa_proto where payload.count >= 1: proto = payload[0]
            default: break
            }
        }
        // IPv4 sends IFA_LOCAL (the address) and IFA_ADDRESS (the peer on a
        // point-to-point link); IPv6 sends IFA_ADDRESS only.
        guard let address = local ?? peer else { return nil }
        return InterfaceAddress(address: address, prefixLength: ifa.ifa_prefixlen, interfaceIndex: ifa.ifa_index,
                                flags: AddressFlags(rawValue: flags), scope: RouteScope(rawValue: ifa.ifa_scope),
                                proto: proto)
    }
}

/// libnl's rtnl_addr built from an `InterfaceAddress`, freed on deinit.
final class LibnlAddress {
    let raw: OpaquePointer

    init(_ address: InterfaceAddress, operation: String) throws {
        guard let object = rtnl_addr_alloc() else {
            throw KernelError(operation: operation, code: Int32(NLE_NOMEM), message: "out of memory")
        }
        raw = object
        rtnl_addr_set_family(raw, Int32(address.address.family.rawValue))
        rtnl_addr_set_ifindex(raw, Int32(bitPattern: address.interfaceIndex))
        let local = try NetlinkAddress(address.address, prefixLength: address.prefixLength, operation: operation)
        let err = rtnl_addr_set_local(raw, local.raw)  // takes its own reference
        if err < 0 { throw NetlinkSocket.error(operation, err) }
        rtnl_addr_set_prefixlen(raw, Int32(address.prefixLength))
        rtnl_addr_set_scope(raw, Int32(address.scope.rawValue))
        let flags = address.flags.intersection(.settable)
        if !flags.isEmpty { rtnl_addr_set_flags(raw, flags.rawValue) }
    }

    deinit { rtnl_addr_put(raw) }
}
