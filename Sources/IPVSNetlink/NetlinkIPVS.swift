#if canImport(Glibc)
import Glibc
#endif

/// The kernel's IPVS table over generic netlink (the "IPVS" family,
/// libnl-genl-3 for the socket and the family's id). Every add, edit and
/// delete is one netlink request, acknowledged by the kernel; `apply` sends
/// many requests to a system call and reads back their failures and the
/// last one's acknowledgement.
///
/// Acts in the network namespace of the thread that created it. One owner.
public final class NetlinkIPVS: IPVSKernel {
    private let socket: GenericNetlinkSocket
    private let writer: IPVSRequestWriter

    /// Requests per system call in `apply`: their acknowledgements must fit
    /// the socket's receive queue (each takes well under 1 KiB of it).
    public static let batchLimit = 256

    /// Requests sent to the kernel so far (changes, dumps, flushes): what
    /// `vipctl lb backend set` reports as its netlink operations.
    public private(set) var requestsSent = 0

    public init() throws {
        socket = try GenericNetlinkSocket(family: IPVSConstants.genlName,
                                          missing: "IPVS is not available in this kernel (modprobe ip_vs)")
        writer = IPVSRequestWriter(family: socket.familyID)
    }

    /// The generic netlink family id the kernel gave IPVS.
    public var familyID: UInt16 { socket.familyID }

    public func services() throws -> [KernelVirtualService] {
        try consistentDump("list services") { sequence in
            writer.dumpServices(sequence: sequence)
        } parse: { payload in IPVSAnswer.service(payload) }
    }

    public func realServers(of service: KernelVirtualService) throws -> [KernelRealServer] {
        try consistentDump("list real servers of \(IPVSText.service(service))") { sequence in
            writer.dumpRealServers(of: service, sequence: sequence)
        } parse: { payload in IPVSAnswer.realServer(payload, serviceFamily: service.family) }
    }

    public func addService(_ s: KernelVirtualService) throws { try single(.addService(s)) }
    public func editService(_ s: KernelVirtualService) throws { try single(.editService(s)) }
    public func deleteService(_ s: KernelVirtualService) throws { try single(.deleteService(s)) }
    public func addRealServer(_ d: KernelRealServer, to s: KernelVirtualService) throws {
        try single(.addRealServer(d, to: s))
    }
    public func editRealServer(_ d: KernelRealServer, in s: KernelVirtualService) throws {
        try single(.editRealServer(d, in: s))
    }
    public func deleteRealServer(_ d: KernelRealServer, from s: KernelVirtualService) throws {
        try single(.deleteRealServer(d, from: s))
    }

    public func flush() throws {
        let sequence = socket.reserveSequences(1)
        requestsSent += 1
        writer.writer.removeAll()
        writer.flush(sequence: sequence)
        try socket.send(writer.writer.buffer, "flush")
        let (code, text) = try socket.acknowledgements(first: sequence, count: 1, "flush")[0]
        if code != 0 { throw IPVSText.error("flush", code, text) }
    }

    /// Sends the changes `batchLimit` to a system call, in order. The kernel
    /// handles each request of a call in turn, and a failure does not stop
    /// the ones after it. Only a batch's last request asks for an
    /// acknowledgement: netlink reports every failure anyway, and 11,000
    /// acknowledgements the kernel builds and vipd reads are most of the
    /// cost of programming a large table beyond the kernel's own work.
    public func apply(_ changes: [IPVSChange]) throws {
        var failures: [(index: Int, change: IPVSChange, error: IPVSError)] = []
        var start = 0
        while start < changes.count {
            let end = min(start + Self.batchLimit, changes.count)
            let first = socket.reserveSequences(end - start)
            requestsSent += end - start
            writer.writer.removeAll()
            for i in start..<end {
                writer.change(changes[i], sequence: first &+ UInt32(i - start), ack: i == end - 1)
            }
            let operation = "apply changes \(start + 1)-\(end) of \(changes.count)"
            try socket.send(writer.writer.buffer, operation)
            for f in try socket.batchFailures(first: first, count: end - start, operation) {
                let change = changes[start + f.offset]
                failures.append((start + f.offset, change, IPVSText.error(IPVSText.change(change), f.code, f.text)))
            }
            start = end
        }
        if !failures.isEmpty { throw IPVSBatchError(failures: failures) }
    }

    private func single(_ change: IPVSChange) throws {
        let sequence = socket.reserveSequences(1)
        requestsSent += 1
        writer.writer.removeAll()
        writer.change(change, sequence: sequence)
        let operation = IPVSText.change(change)
        try socket.send(writer.writer.buffer, operation)
        let (code, text) = try socket.acknowledgements(first: sequence, count: 1, operation)[0]
        if code != 0 { throw IPVSText.error(operation, code, text) }
    }

    /// A dump, started again (3 attempts in all) when the kernel marks it
    /// interrupted.
    private func consistentDump<T>(_ operation: String, request: (UInt32) -> Void,
                                   parse: (UnsafeRawBufferPointer) -> T?) throws -> [T] {
        requestsSent += 1
        var attempt = 1
        while true {
            var result: [T] = []
            let sequence = socket.reserveSequences(1)
            writer.writer.removeAll()
            request(sequence)
            let consistent = try socket.dump(writer.writer.buffer, sequence: sequence, operation) { payload in
                if let value = parse(payload) { result.append(value) }
            }
            if consistent || attempt == 3 { return result }
            attempt += 1
        }
    }
}

/// Names and sentences for operations and errors.
enum IPVSText {
    static func address(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        if bytes.count == 16 {
            var groups: [String] = []
            for i in stride(from: 0, to: 16, by: 2) {
                groups.append(String(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]), radix: 16))
            }
            return "[" + groups.joined(separator: ":") + "]"
        }
        return bytes.map { String($0, radix: 16) }.joined(separator: ":")
    }

    static func service(_ s: KernelVirtualService) -> String {
        if s.fwmark != 0 { return "fwmark \(s.fwmark)" + (s.family == IPVSConstants.afInet6 ? " (IPv6)" : "") }
        let proto: String
        switch s.proto {
        case IPVSConstants.protoTCP: proto = "tcp"
        case IPVSConstants.protoUDP: proto = "udp"
        case IPVSConstants.protoSCTP: proto = "sctp"
        default: proto = "proto \(s.proto)"
        }
        return "\(proto) \(address(s.address)):\(s.port)"
    }

    static func realServer(_ d: KernelRealServer) -> String { "\(address(d.address)):\(d.port)" }

    static func change(_ change: IPVSChange) -> String {
        switch change {
        case .addService(let s): return "add service \(service(s))"
        case .editService(let s): return "edit service \(service(s))"
        case .deleteService(let s): return "delete service \(service(s))"
        case .addRealServer(let d, let s): return "add real server \(realServer(d)) to \(service(s))"
        case .editRealServer(let d, let s): return "edit real server \(realServer(d)) of \(service(s))"
        case .deleteRealServer(let d, let s): return "delete real server \(realServer(d)) of \(service(s))"
        }
    }

    /// What an errno means for an IPVS request (the kernel's codes in
    /// net/netfilter/ipvs/ip_vs_ctl.c), else strerror.
    static func error(_ operation: String, _ code: Int32, _ kernelText: String?) -> IPVSError {
        let isService = operation.contains("service") && !operation.contains("real server")
        var text: String
        switch code {
        case EEXIST: text = isService ? "the service already exists" : "the real server already exists"
        case ESRCH: text = "no such service"
        case ENOENT: text = isService ? "no such scheduler (or persistence engine)" : "no such real server"
        case EINVAL: text = "invalid argument"
        case EPERM: text = "operation not permitted (IPVS needs CAP_NET_ADMIN)"
        case EAFNOSUPPORT: text = "address family not supported"
        case ENOMEM: text = "out of memory"
        default: text = String(cString: strerror(code))
        }
        if let kernelText, !kernelText.isEmpty { text += ": " + kernelText }
        return IPVSError(operation: operation, code: code, message: text)
    }
}
