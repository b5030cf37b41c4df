/// One change to a kernel table.
public enum RouteOperation: Hashable, Sendable, CustomStringConvertible {
    /// Add the route, or overwrite the one with its key.
    case replace(KernelRoute)
    /// Delete the route (as read from the kernel).
    case delete(KernelRoute)

    public var route: KernelRoute {
        switch self {
        case .replace(let r), .delete(let r): return r
        }
    }

    public var description: String {
        switch self {
        case .replace(let r): return "replace \(r)"
        case .delete(let r): return "delete \(r)"
        }
    }
}

/// Why a desired set of routes cannot be planned.
public enum RoutePlanError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A desired route is not in the synchronised table or not of its protocol.
    case foreignRoute(KernelRoute, table: UInt32, proto: UInt8)
    /// Two desired routes share a key (destination and metric): the second
    /// would overwrite the first. ECMP is one route with several next hops.
    case duplicateKey(KernelRoute, KernelRoute)

    public var description: String {
        switch self {
        case let .foreignRoute(route, table, proto):
            return "route \(route) is not in table \(table) with protocol \(proto)"
        case let .duplicateKey(a, b):
            return "routes \(a) and \(b) have the same destination and metric"
        }
    }
}

/// The pure part of `KernelRouteSync`: from the routes wanted in one table
/// for one protocol, and the routes of that protocol the kernel has there,
/// the operations that make the kernel match. No I/O.
///
/// - A wanted route the kernel already has (`KernelRoute.isSatisfied(by:)`)
///   is left alone.
/// - Any other wanted route is replaced (added, or overwritten in place:
///   no gap in forwarding when only its next hops change).
/// - Every current route no wanted route claims is deleted; several current
///   routes with one key (same destination and metric, other type) keep at
///   most the one that satisfies.
/// Replaces come first, then deletes (make before break), each sorted by key.
public enum RoutePlanner {
    public static func plan(desired: [KernelRoute], current: [KernelRoute],
                            table: UInt32, proto: UInt8) throws(RoutePlanError) -> [RouteOperation] {
        var wanted: [KernelRoute.Key: KernelRoute] = [:]
        for route in desired {
            guard route.table == table, route.proto == proto else {
                throw .foreignRoute(route, table: table, proto: proto)
            }
            if let earlier = wanted[route.key] { throw .duplicateKey(earlier, route) }
            wanted[route.key] = route
        }
        var currentByKey: [KernelRoute.Key: [KernelRoute]] = [:]
        for route in current where route.table == table && route.proto == proto {
            currentByKey[route.key, default: []].append(route)
        }

        var replaces: [KernelRoute] = []
        var deletes: [KernelRoute] = []
        for (key, route) in wanted {
            let present = currentByKey[key] ?? []
            if let keep = present.firstIndex(where: { route.isSatisfied(by: $0) }) {
                deletes += present.enumerated().filter { $0.offset != keep }.map(\.element)
            } else {
                replaces.append(route)
                // A replace overwrites one route of the key; any other is stale.
                deletes += present.dropFirst()
            }
        }
        for (key, present) in currentByKey where wanted[key] == nil {
            deletes += present
        }
        let order: (KernelRoute, KernelRoute) -> Bool = { ($0.key, $0.type.rawValue) < ($1.key, $1.type.rawValue) }
        return replaces.sorted(by: order).map(RouteOperation.replace)
            + deletes.sorted(by: order).map(RouteOperation.delete)
    }
}
