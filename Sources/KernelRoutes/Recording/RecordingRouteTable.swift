/// An in-memory twin of the kernel's routing tables, for the daemon's unit
/// tests. It records every call and behaves as the kernel does where vipd
/// relies on it:
/// - replace overwrites the route with the same key (destination, table,
///   metric), whatever its protocol, and stores IPv6 metric 0 as 1024;
/// - delete needs a route with that key, of that protocol and with those
///   next hops when given, else it fails with "not found" as the kernel does;
/// - a unicast route without next hop is refused ("No such device");
/// - list filters by table and protocol.
/// A failure can be injected per call with `failure`.
public final class RecordingRouteTable: RouteTable {
    public enum Call: Hashable, Sendable, CustomStringConvertible {
        case replace(KernelRoute)
        case delete(KernelRoute)
        case list(table: UInt32, proto: UInt8?)

        public var description: String {
            switch self {
            case .replace(let r): return "replace \(r)"
            case .delete(let r): return "delete \(r)"
            case .list(let t, let p): return "list table \(t)" + (p.map { " proto \($0)" } ?? "")
            }
        }
    }

    /// Every call, in order, failed ones included.
    public private(set) var calls: [Call] = []
    /// The routes "in the kernel", by key.
    public private(set) var routes: [KernelRoute.Key: KernelRoute] = [:]
    /// Decides whether a call fails, and with what; nil lets it succeed.
    public var failure: (@Sendable (Call) -> KernelError?)?

    public init(routes: [KernelRoute] = []) {
        for route in routes { self.routes[route.key] = route.normalizedForKernel }
    }

    /// Calls that changed or tried to change something (no lists).
    public var changes: [Call] {
        calls.filter { if case .list = $0 { return false } else { return true } }
    }

    public func clearCalls() { calls.removeAll() }

    public func replace(_ route: KernelRoute) throws {
        let call = Call.replace(route)
        calls.append(call)
        if let error = failure?(call) { throw error }
        if route.type == .unicast && route.nextHops.isEmpty {
            // What the kernel answers for a unicast route without next hop.
            throw KernelError(operation: call.description, code: KernelError.nleNoDevice, message: "No such device")
        }
        routes[route.key] = route.normalizedForKernel
    }

    public func delete(_ route: KernelRoute) throws {
        let call = Call.delete(route)
        calls.append(call)
        if let error = failure?(call) { throw error }
        // The kernel matches the protocol when one is given, and the next
        // hops when any are given (ESRCH otherwise).
        guard let present = routes[route.key], route.proto == 0 || present.proto == route.proto,
              route.nextHops.isEmpty || KernelRoute.nextHops(route.nextHops, areSatisfiedBy: present.nextHops)
        else {
            throw KernelError(operation: call.description, code: KernelError.nleObjectNotFound,
                              message: "Object not found")
        }
        routes[route.key] = nil
    }

    public func list(table: UInt32, proto: UInt8?) throws -> [KernelRoute] {
        let call = Call.list(table: table, proto: proto)
        calls.append(call)
        if let error = failure?(call) { throw error }
        return routes.values
            .filter { $0.table == table && (proto == nil || $0.proto == proto) }
            .sorted { ($0.key, $0.proto) < ($1.key, $1.proto) }
    }
}
