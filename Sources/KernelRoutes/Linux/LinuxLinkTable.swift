import CNLRoute
#if canImport(Glibc)
import Glibc
#endif

/// Network interfaces (links) over libnl-route-3: name to index, up, and
/// the veth pairs the namespace tests build. Acts in the network namespace
/// of the thread that created it. One owner.
public final class LinuxLinkTable {
    private let socket: NetlinkSocket

    public init() throws {
        socket = try NetlinkSocket()
    }

    /// The index of the interface called `name` (RTM_GETLINK by name).
    public func index(named name: String) throws -> UInt32 {
        let link = try get(name: name, operation: "interface \(name)")
        defer { rtnl_link_put(link) }
        return UInt32(rtnl_link_get_ifindex(link))
    }

    /// Whether the interface is administratively up (IFF_UP).
    public func isUp(named name: String) throws -> Bool {
        let link = try get(name: name, operation: "interface \(name)")
        defer { rtnl_link_put(link) }
        return rtnl_link_get_flags(link) & UInt32(IFF_UP) != 0
    }

    /// Sets the interface up, as `ip link set NAME up`.
    public func setUp(named name: String) throws {
        let operation = "set \(name) up"
        let link = try get(name: name, operation: operation)
        defer { rtnl_link_put(link) }
        guard let change = rtnl_link_alloc() else {
            throw KernelError(operation: operation, code: Int32(NLE_NOMEM), message: "out of memory")
        }
        defer { rtnl_link_put(change) }
        rtnl_link_set_flags(change, UInt32(IFF_UP))
        let err = rtnl_link_change(socket.raw, link, change, 0)
        if err < 0 { throw NetlinkSocket.error(operation, err) }
    }

    /// Creates a veth pair in this namespace, as `ip link add NAME type veth
    /// peer name PEER`.
    public func addVethPair(_ name: String, peer peerName: String) throws {
        let operation = "add veth \(name) peer \(peerName)"
        guard let link = rtnl_link_veth_alloc() else {
            throw KernelError(operation: operation, code: Int32(NLE_NOMEM), message: "out of memory")
        }
        defer { rtnl_link_put(link) }
        rtnl_link_set_name(link, name)
        if let peer = rtnl_link_veth_get_peer(link) {
            rtnl_link_set_name(peer, peerName)
            rtnl_link_put(peer)
        }
        let err = rtnl_link_add(socket.raw, link, Int32(NLM_F_CREATE | NLM_F_EXCL))
        if err < 0 { throw NetlinkSocket.error(operation, err) }
    }

    /// Deletes the interface called `name` (a veth takes its peer along).
    public func delete(named name: String) throws {
        let operation = "delete \(name)"
        let link = try get(name: name, operation: operation)
        defer { rtnl_link_put(link) }
        let err = rtnl_link_delete(socket.raw, link)
        if err < 0 { throw NetlinkSocket.error(operation, err) }
    }

    private func get(name: String, operation: String) throws -> OpaquePointer {
        var link: OpaquePointer?
        let err = rtnl_link_get_kernel(socket.raw, 0, name, &link)
        guard err >= 0, let link else { throw NetlinkSocket.error(operation, err < 0 ? err : -Int32(NLE_NODEV)) }
        return link
    }
}
