#if canImport(Glibc)
import Glibc
#endif

/// The in-memory twin of NetlinkIPVS, for tests of code that programs IPVS:
/// a table with the kernel's rules for what exists and what may be changed
/// (the same errnos as net/netfilter/ipvs/ip_vs_ctl.c), and the list of
/// calls made, in order.
public final class RecordingIPVS: IPVSKernel {
    public enum Call: Hashable, Sendable {
        case change(IPVSChange)
        case flush
    }

    /// Every add, edit, delete and flush asked for, including failed ones.
    public private(set) var calls: [Call] = []
    /// The schedulers this "kernel" has: others fail with ENOENT.
    public var schedulers: Set<String>
    /// When set, a change for which it returns an error fails with it (and
    /// leaves the table alone), as a kernel refusal would.
    public var failure: (@Sendable (IPVSChange) -> IPVSError?)?

    private var order: [KernelServiceKey] = []
    private var table: [KernelServiceKey: (service: KernelVirtualService, dests: [KernelRealServer])] = [:]

    public static let linuxSchedulers: Set<String> = [
        "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "mh", "fo", "ovf", "twos",
    ]

    public init(schedulers: Set<String> = RecordingIPVS.linuxSchedulers) {
        self.schedulers = schedulers
    }

    /// The changes asked for (flushes left out).
    public var changes: [IPVSChange] {
        calls.compactMap { if case .change(let c) = $0 { return c } else { return nil } }
    }

    public func clearCalls() { calls.removeAll() }

    /// Every call made, reads included.
    public private(set) var requestsSent = 0

    public func services() throws -> [KernelVirtualService] {
        requestsSent += 1
        return order.map { table[$0]!.service }
    }

    public func realServers(of service: KernelVirtualService) throws -> [KernelRealServer] {
        requestsSent += 1
        guard let entry = table[service.key] else {
            throw IPVSText.error("list real servers of \(IPVSText.service(service))", ESRCH, nil)
        }
        return entry.dests
    }

    public func addService(_ s: KernelVirtualService) throws { try record(.addService(s)) }
    public func editService(_ s: KernelVirtualService) throws { try record(.editService(s)) }
    public func deleteService(_ s: KernelVirtualService) throws { try record(.deleteService(s)) }
    public func addRealServer(_ d: KernelRealServer, to s: KernelVirtualService) throws {
        try record(.addRealServer(d, to: s))
    }
    public func editRealServer(_ d: KernelRealServer, in s: KernelVirtualService) throws {
        try record(.editRealServer(d, in: s))
    }
    public func deleteRealServer(_ d: KernelRealServer, from s: KernelVirtualService) throws {
        try record(.deleteRealServer(d, from: s))
    }

    public func flush() throws {
        calls.append(.flush)
        requestsSent += 1
        order.removeAll()
        table.removeAll()
    }

    private func record(_ change: IPVSChange) throws {
        calls.append(.change(change))
        requestsSent += 1
        let operation = IPVSText.change(change)
        if let error = failure?(change) { throw error }
        if let code = carryOut(change) { throw IPVSText.error(operation, code, nil) }
    }

    /// Changes the table as the kernel would, or returns the kernel's errno.
    private func carryOut(_ change: IPVSChange) -> Int32? {
        switch change {
        case .addService(let s):
            let s = Self.stored(s)
            if table[s.key] != nil { return EEXIST }
            if let code = check(s) { return code }
            table[s.key] = (s, [])
            order.append(s.key)
        case .editService(let s):
            let s = Self.stored(s)
            guard let entry = table[s.key] else { return ESRCH }
            if let code = check(s) { return code }
            table[s.key] = (s, entry.dests)
        case .deleteService(let s):
            guard table.removeValue(forKey: s.key) != nil else { return ESRCH }
            order.removeAll { $0 == s.key }
        case .addRealServer(let d, let s):
            guard var entry = table[s.key] else { return ESRCH }
            if let code = check(d) { return code }
            if entry.dests.contains(where: { $0.key == d.key }) { return EEXIST }
            entry.dests.append(d.withoutStats)
            table[s.key] = entry
        case .editRealServer(let d, let s):
            guard var entry = table[s.key] else { return ESRCH }
            if let code = check(d) { return code }
            guard let i = entry.dests.firstIndex(where: { $0.key == d.key }) else { return ENOENT }
            entry.dests[i] = d.withoutStats
            table[s.key] = entry
        case .deleteRealServer(let d, let s):
            guard var entry = table[s.key] else { return ESRCH }
            guard let i = entry.dests.firstIndex(where: { $0.key == d.key }) else { return ENOENT }
            entry.dests.remove(at: i)
            table[s.key] = entry
        }
        return nil
    }

    private func check(_ s: KernelVirtualService) -> Int32? {
        if s.family != IPVSConstants.afInet && s.family != IPVSConstants.afInet6 { return EAFNOSUPPORT }
        if s.scheduler.utf8.count >= IPVSConstants.schedulerNameMax { return EINVAL }
        if !schedulers.contains(s.scheduler) { return ENOENT }
        if s.fwmark == 0 {
            let length = s.family == IPVSConstants.afInet6 ? 16 : 4
            if s.address.count != length { return EINVAL }
            if ![IPVSConstants.protoTCP, IPVSConstants.protoUDP, IPVSConstants.protoSCTP].contains(s.proto) {
                return EFAULT  // what ip_vs_ctl.c answers for an unknown protocol
            }
        }
        return nil
    }

    private func check(_ d: KernelRealServer) -> Int32? {
        if d.weight < 0 || d.lowerThreshold > d.upperThreshold { return ERANGE }
        if d.address.count != (d.family == IPVSConstants.afInet6 ? 16 : 4) { return EINVAL }
        return nil
    }

    /// What the kernel keeps of a service: no counters, no HASHED flag, and
    /// for a fwmark service only the family and the mark.
    static func stored(_ s: KernelVirtualService) -> KernelVirtualService {
        var s = s.withoutStats
        s.flags &= ~IPVSConstants.svcHashed
        if s.fwmark != 0 {
            s.proto = 0
            s.port = 0
            s.address = [UInt8](repeating: 0, count: s.family == IPVSConstants.afInet6 ? 16 : 4)
        }
        return s
    }
}
