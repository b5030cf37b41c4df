/// What one reconcile did.
public struct RouteSyncReport: Sendable, CustomStringConvertible {
    /// Operations the kernel accepted, in order. A delete of a route that
    /// was already gone counts as done.
    public var applied: [RouteOperation] = []
    /// Operations the kernel refused, with its error. The others were still
    /// tried: one bad route does not hold back the rest.
    public var failed: [(operation: RouteOperation, error: KernelError)] = []

    public init() {}

    public var succeeded: Bool { failed.isEmpty }

    public var description: String {
        var lines = applied.map(\.description)
        lines += failed.map { "failed: \($0.operation): \($0.error.message)" }
        return lines.isEmpty ? "no change" : lines.joined(separator: "\n")
    }
}

/// Keeps the routes of one protocol in one kernel table equal to a wanted
/// set, touching only the differences. Used for routing-table mode (table
/// 198, protocol 248 by default: VIP routes for FRR or BIRD to
/// redistribute) and for FIB install of best routes (table 254, protocol 186).
///
/// The kernel is read back on every `sync`, so a route someone else removed
/// or changed is put back; routes of other protocols in the table are never
/// touched. `cleanup()` removes every route of the protocol in the table:
/// at start (what a crashed earlier run left) and at exit.
public final class KernelRouteSync {
    public let table: UInt32
    public let proto: UInt8
    private let routes: any RouteTable

    public init(table: UInt32, proto: UInt8, routes: any RouteTable) {
        self.table = table
        self.proto = proto
        self.routes = routes
    }

    /// The operations `sync(_:)` would carry out now, without doing them.
    public func plan(_ desired: [KernelRoute]) throws -> [RouteOperation] {
        let current = try routes.list(table: table, proto: proto)
        return try RoutePlanner.plan(desired: desired, current: current, table: table, proto: proto)
    }

    /// Makes the table's routes of our protocol exactly `desired`. Throws
    /// when the table cannot be read or `desired` is invalid (nothing is
    /// changed then); kernel refusals of single operations are in the report.
    @discardableResult
    public func sync(_ desired: [KernelRoute]) throws -> RouteSyncReport {
        apply(try plan(desired))
    }

    /// Deletes every route of our protocol in our table.
    @discardableResult
    public func cleanup() throws -> RouteSyncReport {
        try sync([])
    }

    private func apply(_ operations: [RouteOperation]) -> RouteSyncReport {
        var report = RouteSyncReport()
        for operation in operations {
            do {
                switch operation {
                case .replace(let route): try routes.replace(route)
                case .delete(let route): try routes.delete(route)
                }
                report.applied.append(operation)
            } catch let error as KernelError {
                if case .delete = operation, error.isNotFound {
                    report.applied.append(operation)  // already gone: the goal holds
                } else {
                    report.failed.append((operation, error))
                }
            } catch {
                report.failed.append((operation, KernelError(operation: operation.description, code: 0,
                                                             message: "\(error)")))
            }
        }
        return report
    }
}
