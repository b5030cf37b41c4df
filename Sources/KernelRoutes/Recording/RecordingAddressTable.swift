/// An in-memory twin of the kernel's interface addresses, for the daemon's
/// unit tests. It records every call and behaves as the kernel does:
/// - add of an address already on the interface (same address and length)
///   updates it in place (replace semantics);
/// - remove of an address that is not there fails with "not found"
///   (EADDRNOTAVAIL);
/// - an unknown interface fails with "not found" (ENODEV).
/// Interfaces are given by name and index at creation ("lo" is 1).
public final class RecordingAddressTable: AddressTable {
    public enum Call: Hashable, Sendable, CustomStringConvertible {
        case add(InterfaceAddress)
        case remove(InterfaceAddress)
        case list(interfaceIndex: UInt32?)
        case interfaceIndex(String)

        public var description: String {
            switch self {
            case .add(let a): return "add \(a)"
            case .remove(let a): return "remove \(a)"
            case .list(let i): return "list addresses" + (i.map { " of if\($0)" } ?? "")
            case .interfaceIndex(let name): return "interface \(name)"
            }
        }
    }

    public private(set) var calls: [Call] = []
    /// The addresses "in the kernel", in the order they were added.
    public private(set) var addresses: [InterfaceAddress] = []
    public let interfaces: [String: UInt32]
    public var failure: (@Sendable (Call) -> KernelError?)?

    public init(interfaces: [String: UInt32] = ["lo": 1, "eth0": 2], addresses: [InterfaceAddress] = []) {
        self.interfaces = interfaces
        self.addresses = addresses
    }

    public var changes: [Call] {
        calls.filter {
            switch $0 {
            case .add, .remove: return true
            default: return false
            }
        }
    }

    public func clearCalls() { calls.removeAll() }

    public func interfaceIndex(named name: String) throws -> UInt32 {
        let call = Call.interfaceIndex(name)
        calls.append(call)
        if let error = failure?(call) { throw error }
        guard let index = interfaces[name] else {
            throw KernelError(operation: call.description, code: KernelError.nleNoDevice, message: "No such device")
        }
        return index
    }

    public func add(_ address: InterfaceAddress) throws {
        let call = Call.add(address)
        calls.append(call)
        if let error = failure?(call) { throw error }
        try checkInterface(address.interfaceIndex, call)
        let stored = InterfaceAddress(address: address.address, prefixLength: address.prefixLength,
                                      interfaceIndex: address.interfaceIndex,
                                      flags: address.flags.intersection(.settable).union(.permanent),
                                      scope: address.scope, proto: address.proto)
        if let i = addresses.firstIndex(where: { $0.isSameAddress(as: address) }) {
            addresses[i] = stored
        } else {
            addresses.append(stored)
        }
    }

    public func remove(_ address: InterfaceAddress) throws {
        let call = Call.remove(address)
        calls.append(call)
        if let error = failure?(call) { throw error }
        try checkInterface(address.interfaceIndex, call)
        guard let i = addresses.firstIndex(where: { $0.isSameAddress(as: address) }) else {
            throw KernelError(operation: call.description, code: KernelError.nleNoAddress,
                              message: "Cannot assign requested address")
        }
        addresses.remove(at: i)
    }

    public func list(interfaceIndex: UInt32?) throws -> [InterfaceAddress] {
        let call = Call.list(interfaceIndex: interfaceIndex)
        calls.append(call)
        if let error = failure?(call) { throw error }
        return addresses.filter { interfaceIndex == nil || $0.interfaceIndex == interfaceIndex }
    }

    private func checkInterface(_ index: UInt32, _ call: Call) throws {
        guard interfaces.values.contains(index) else {
            throw KernelError(operation: call.description, code: KernelError.nleNoDevice, message: "No such device")
        }
    }
}
