import CNLRoute
#if canImport(Glibc)
import Glibc
#endif

/// The kernel's routing tables over libnl-route-3. Routes are written with
/// rtnl_route_add (NLM_F_CREATE | NLM_F_REPLACE) and rtnl_route_delete, and
/// read back with a filtered RTM_GETROUTE dump parsed by rtnl_route_parse.
///
/// It acts in the network namespace of the thread that created it (the
/// socket's), whichever thread calls it later. Not thread-safe: one owner.
public final class LinuxRouteTable: RouteTable {
    private let socket: NetlinkSocket

    public init() throws {
        socket = try NetlinkSocket()
    }

    public func replace(_ route: KernelRoute) throws {
        let operation = "replace \(route)"
        let object = try LibnlRoute(route, operation: operation)
        let err = rtnl_route_add(socket.raw, object.raw, Int32(NLM_F_REPLACE | NLM_F_CREATE))
        if err < 0 { throw NetlinkSocket.error(operation, err) }
    }

    public func delete(_ route: KernelRoute) throws {
        let operation = "delete \(route)"
        let object = try LibnlRoute(route, operation: operation)
        let err = rtnl_route_delete(socket.raw, object.raw, 0)
        if err < 0 { throw NetlinkSocket.error(operation, err) }
    }

    public func list(table: UInt32, proto: UInt8?) throws -> [KernelRoute] {
        let operation = "list table \(table)" + (proto.map { " proto \($0)" } ?? "")
        var request = rtmsg()
        request.rtm_family = UInt8(AF_UNSPEC)
        request.rtm_table = table < 256 ? UInt8(table) : UInt8(RT_TABLE_UNSPEC.rawValue)
        request.rtm_protocol = proto ?? 0
        let build = { () throws -> OpaquePointer in
            let msg = try netlinkRequest(type: Int32(RTM_GETROUTE), flags: Int32(NLM_F_DUMP), header: request,
                                         operation: operation)
            if nla_put_u32(msg, Int32(RTA_TABLE.rawValue), table) < 0 {
                nlmsg_free(msg)
                throw KernelError(operation: operation, code: Int32(NLE_NOMEM), message: "message too small")
            }
            return msg
        }
        var routes: [KernelRoute] = []
        do {
            try socket.consistentDump(build, operation, restart: { routes.removeAll() }) { hdr in
                var parsed: OpaquePointer?
                let err = rtnl_route_parse(hdr, &parsed)
                guard err >= 0, let parsed else { return NetlinkSocket.error(operation, err) }
                defer { rtnl_route_put(parsed) }
                // The kernel filters with strict checking; older kernels
                // ignore the filter, so it is applied here as well.
                guard rtnl_route_get_table(parsed) == table,
                      proto == nil || rtnl_route_get_protocol(parsed) == proto!,
                      let route = LibnlRoute.read(parsed) else { return nil }
                routes.append(route)
                return nil
            }
        } catch let error as KernelError where error.isNotFound {
            // A table the kernel has never seen: no routes.
            return []
        }
        return routes.sorted { ($0.key, $0.proto) < ($1.key, $1.proto) }
    }
}

/// libnl's rtnl_route built from a `KernelRoute`, freed on deinit.
final class LibnlRoute {
    let raw: OpaquePointer

    init(_ route: KernelRoute, operation: String) throws {
        guard let object = rtnl_route_alloc() else {
            throw KernelError(operation: operation, code: Int32(NLE_NOMEM), message: "out of memory")
        }
        raw = object
        _ = rtnl_route_set_family(raw, route.family.rawValue)
        let destination = try NetlinkAddress(route.destination.address, prefixLength: route.destination.length,
                                             operation: operation)
        let err = rtnl_route_set_dst(raw, destination.raw)  // takes its own reference
        if err < 0 { throw NetlinkSocket.error(operation, err) }
        rtnl_route_set_table(raw, route.table)
        rtnl_route_set_protocol(raw, route.proto)
        rtnl_route_set_priority(raw, route.metric)
        _ = rtnl_route_set_type(raw, route.type.rawValue)
        // Always explicit: libnl would guess "link" for a dev-only route,
        // where kube-vip (and vipd) ask for global.
        rtnl_route_set_scope(raw, route.scope.rawValue)
        for hop in route.nextHops {
            guard let nh = rtnl_route_nh_alloc() else {
                throw KernelError(operation: operation, code: Int32(NLE_NOMEM), message: "out of memory")
            }
            if let index = hop.interfaceIndex { rtnl_route_nh_set_ifindex(nh, Int32(bitPattern: index)) }
            if let gateway = hop.gateway {
                let address = try NetlinkAddress(gateway, operation: operation)
                rtnl_route_nh_set_gateway(nh, address.raw)  // takes its own reference
            }
            rtnl_route_add_nexthop(raw, nh)  // the route owns nh from here
        }
    }

    deinit { rtnl_route_put(raw) }

    /// Our route from a parsed libnl one; nil for what we cannot represent
    /// (a family other than IPv4/IPv6, a source-specific route).
    static func read(_ route: OpaquePointer) -> KernelRoute? {
        guard let dst = NetlinkAddress.read(rtnl_route_get_dst(route)),
              rtnl_route_get_src(route).map({ nl_addr_get_prefixlen($0) }) ?? 0 == 0,
              let prefix = KernelPrefix(address: dst, length: UInt8(truncatingIfNeeded: nl_addr_get_prefixlen(rtnl_route_get_dst(route))))
        else { return nil }
        var hops: [NextHop] = []
        let count = rtnl_route_get_nnexthops(route)
        if count > 0 {
            for i in 0..<count {
                guard let nh = rtnl_route_nexthop_n(route, i) else { continue }
                let index = rtnl_route_nh_get_ifindex(nh)
                let gateway = NetlinkAddress.read(rtnl_route_nh_get_gateway(nh))
                if index == 0 && gateway == nil { continue }
                hops.append(NextHop(gateway: gateway, interfaceIndex: index > 0 ? UInt32(index) : nil))
            }
        }
        return KernelRoute(destination: prefix, table: rtnl_route_get_table(route),
                           proto: rtnl_route_get_protocol(route), metric: rtnl_route_get_priority(route),
                           type: RouteType(rawValue: rtnl_route_get_type(route)),
                           scope: RouteScope(rawValue: rtnl_route_get_scope(route)), nextHops: hops)
    }
}
