import CNLRoute

/// An error from the kernel or from libnl, with libnl's message.
public struct KernelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was being done: "replace 10.0.1.100 table 198 ...".
    public let operation: String
    /// libnl's error code (NLE_*, positive), or 0 for an error of this module.
    public let code: Int32
    /// nl_geterror's text, or this module's own reason.
    public let message: String

    public init(operation: String, code: Int32, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    /// libnl's NLE_* codes this module tells apart (libnl maps the
    /// kernel's errno to them: EEXIST, ENOENT/ESRCH, EADDRNOTAVAIL, ENODEV, EPERM).
    public static let nleExist = Int32(NLE_EXIST)
    public static let nleObjectNotFound = Int32(NLE_OBJ_NOTFOUND)
    public static let nleNoAddress = Int32(NLE_NOADDR)
    public static let nleNoDevice = Int32(NLE_NODEV)
    public static let nlePermission = Int32(NLE_PERM)

    /// The object to delete or look up is not there: no such route
    /// (ENOENT, ESRCH), address (EADDRNOTAVAIL) or interface (ENODEV).
    public var isNotFound: Bool {
        code == Self.nleObjectNotFound || code == Self.nleNoAddress || code == Self.nleNoDevice
    }
    public var isExists: Bool { code == Self.nleExist }

    public var description: String { "\(operation): \(message)" }
}

/// A kernel routing table, reached over rtnetlink: vipd's FIB install and
/// its routing-table mode write through this. `LinuxRouteTable` is the real
/// one, `RecordingRouteTable` the twin for unit tests. One owner calls it
/// (the daemon's loop); implementations are not meant to be shared.
public protocol RouteTable: AnyObject {
    /// Adds the route, or overwrites the one with the same key
    /// (destination, table, metric): RTM_NEWROUTE with NLM_F_CREATE |
    /// NLM_F_REPLACE, as `ip route replace`.
    func replace(_ route: KernelRoute) throws
    /// Deletes the route (RTM_DELROUTE). Throws a `KernelError` with
    /// `isNotFound` when there is none.
    func delete(_ route: KernelRoute) throws
    /// Reads the kernel's routes of `table`, of protocol `proto` only when
    /// given, both families.
    func list(table: UInt32, proto: UInt8?) throws -> [KernelRoute]
}

/// Interface addresses and interface names: VIPs go on `lo` while announced
/// (`local: true`) and on the ARP interface in ARP mode.
public protocol AddressTable: AnyObject {
    /// The index of the interface called `name`; a `KernelError` with
    /// `isNotFound` when there is none.
    func interfaceIndex(named name: String) throws -> UInt32
    /// Adds the address, or updates it in place when it is there
    /// (RTM_NEWADDR with NLM_F_CREATE | NLM_F_REPLACE, as `ip addr replace`).
    func add(_ address: InterfaceAddress) throws
    /// Removes the address; a `KernelError` with `isNotFound` when it is not there.
    func remove(_ address: InterfaceAddress) throws
    /// The addresses of one interface, or of all when `interfaceIndex` is nil.
    func list(interfaceIndex: UInt32?) throws -> [InterfaceAddress]
}

extension AddressTable {
    /// Adds a VIP to the interface called `name` (for example "lo").
    @discardableResult
    public func addVIP(_ vip: KernelAddress, toInterfaceNamed name: String, scope: RouteScope = .universe,
                       proto: UInt8 = 0) throws -> InterfaceAddress {
        let address = InterfaceAddress.vip(vip, interfaceIndex: try interfaceIndex(named: name),
                                           scope: scope, proto: proto)
        try add(address)
        return address
    }

    /// Removes a VIP from the interface called `name`; true if it was there.
    @discardableResult
    public func removeVIP(_ vip: KernelAddress, fromInterfaceNamed name: String) throws -> Bool {
        let index = try interfaceIndex(named: name)
        do {
            try remove(InterfaceAddress.vip(vip, interfaceIndex: index))
            return true
        } catch let error as KernelError where error.isNotFound {
            return false
        }
    }
}
