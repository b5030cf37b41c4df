/// The kernel's IPVS table, behind a protocol: `NetlinkIPVS` is the real
/// one (generic netlink), `RecordingIPVS` the in-memory twin for tests.
/// Both act on one network namespace and have one owner.
public protocol IPVSKernel: AnyObject {
    func services() throws -> [KernelVirtualService]
    func realServers(of service: KernelVirtualService) throws -> [KernelRealServer]
    func addService(_ s: KernelVirtualService) throws
    func editService(_ s: KernelVirtualService) throws
    func deleteService(_ s: KernelVirtualService) throws
    func addRealServer(_ d: KernelRealServer, to s: KernelVirtualService) throws
    func editRealServer(_ d: KernelRealServer, in s: KernelVirtualService) throws
    func deleteRealServer(_ d: KernelRealServer, from s: KernelVirtualService) throws
    /// Removes every service. Tests only: vipd never flushes others' entries.
    func flush() throws
    /// Requests sent so far (changes, dumps, flushes), to count what one
    /// control request cost.
    var requestsSent: Int { get }

    /// Carries out the changes in order, all of them even when some fail,
    /// and throws an `IPVSBatchError` listing the failures. NetlinkIPVS
    /// sends them many to a system call (much faster than one by one).
    func apply(_ changes: [IPVSChange]) throws
}

extension IPVSKernel {
    /// One change at a time, through the single operations.
    public func apply(_ changes: [IPVSChange]) throws {
        var failures: [(index: Int, change: IPVSChange, error: IPVSError)] = []
        for (index, change) in changes.enumerated() {
            do {
                try perform(change)
            } catch let error as IPVSError {
                failures.append((index, change, error))
            }
        }
        if !failures.isEmpty { throw IPVSBatchError(failures: failures) }
    }

    /// One change through the matching single operation.
    public func perform(_ change: IPVSChange) throws {
        switch change {
        case .addService(let s): try addService(s)
        case .editService(let s): try editService(s)
        case .deleteService(let s): try deleteService(s)
        case .addRealServer(let d, let s): try addRealServer(d, to: s)
        case .editRealServer(let d, let s): try editRealServer(d, in: s)
        case .deleteRealServer(let d, let s): try deleteRealServer(d, from: s)
        }
    }
}
