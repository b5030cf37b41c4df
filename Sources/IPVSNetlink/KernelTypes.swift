import IPVS
/// The kernel's view of IPVS, as the "IPVS" generic netlink family carries
/// it: numbers and address bytes exactly as the kernel has them, no
/// interpretation. The pure model (module IPVS) converts to and from these.
///
/// A service is identified by `family` and `fwmark` when `fwmark` is not 0,
/// otherwise by `family`, `proto`, `address` and `port`. The kernel keeps
/// only the family and the mark of a fwmark service: its `proto`, `address`
/// and `port` read back as 0 (and all-zero bytes), and RecordingIPVS does
/// the same. The kernel's internal IP_VS_SVC_F_HASHED flag is not reported.

// Counters are the model's `IPVSStats` (module IPVS): the same five
// 64-bit numbers of the kernel's stats64.

public struct KernelVirtualService: Hashable, Sendable {
    /// AF_INET (2) or AF_INET6 (10).
    public var family: UInt16
    /// IPPROTO_TCP (6), IPPROTO_UDP (17) or IPPROTO_SCTP (132); 0 for a fwmark service.
    public var proto: UInt16
    /// 4 or 16 bytes, network order.
    public var address: [UInt8]
    public var port: UInt16
    /// 0 unless this is a fwmark service.
    public var fwmark: UInt32
    public var scheduler: String
    /// IP_VS_SVC_F_* (persistent 0x1, one-packet 0x4, scheduler flags 0x8-0x20).
    public var flags: UInt32
    /// Persistence timeout, seconds.
    public var timeout: UInt32
    /// The persistence netmask: a 32-bit mask for IPv4 (0xffffffff by
    /// default), a prefix length for IPv6 (128 by default), as ipvsadm sets it.
    public var netmask: UInt32
    /// Only in answers from the kernel; ignored in requests.
    public var stats: IPVSStats?

    public init(family: UInt16, proto: UInt16, address: [UInt8], port: UInt16, fwmark: UInt32 = 0,
                scheduler: String = "wlc", flags: UInt32 = 0, timeout: UInt32 = 0, netmask: UInt32? = nil,
                stats: IPVSStats? = nil) {
        self.family = family
        self.proto = proto
        self.address = address
        self.port = port
        self.fwmark = fwmark
        self.scheduler = scheduler
        self.flags = flags
        self.timeout = timeout
        self.netmask = netmask ?? (family == IPVSConstants.afInet6 ? 128 : 0xffff_ffff)
        self.stats = stats
    }

    /// A fwmark service: the kernel keeps only its family and mark.
    public static func fwmark(_ mark: UInt32, family: UInt16, scheduler: String = "wlc", flags: UInt32 = 0,
                              timeout: UInt32 = 0, netmask: UInt32? = nil) -> KernelVirtualService {
        KernelVirtualService(family: family, proto: 0, address: [UInt8](repeating: 0, count: family == IPVSConstants.afInet6 ? 16 : 4),
                             port: 0, fwmark: mark, scheduler: scheduler, flags: flags, timeout: timeout,
                             netmask: netmask)
    }

    /// What identifies the service to the kernel.
    public var key: KernelServiceKey {
        fwmark != 0 ? KernelServiceKey(family: family, proto: 0, address: [], port: 0, fwmark: fwmark)
            : KernelServiceKey(family: family, proto: proto, address: address, port: port, fwmark: 0)
    }

    /// The same service without counters: what a request carries and what
    /// two reads of an unchanged table agree on.
    public var withoutStats: KernelVirtualService {
        var copy = self
        copy.stats = nil
        return copy
    }
}

/// The identity of a virtual service in the kernel's table.
public struct KernelServiceKey: Hashable, Sendable {
    public var family: UInt16
    public var proto: UInt16
    public var address: [UInt8]
    public var port: UInt16
    public var fwmark: UInt32
}

public struct KernelRealServer: Hashable, Sendable {
    /// The real server's address family (IPVS_DEST_ATTR_ADDR_FAMILY).
    public var family: UInt16
    public var address: [UInt8]
    public var port: UInt16
    /// IP_VS_CONN_F_MASQ 0, LOCALNODE 1, TUNNEL 2, DROUTE 3. The kernel makes
    /// it LOCALNODE by itself when the address is one of the director's.
    public var forwarding: UInt32
    public var weight: Int32
    public var upperThreshold: UInt32
    public var lowerThreshold: UInt32
    /// Only in answers from the kernel; ignored in requests.
    public var activeConns: UInt32
    public var inactiveConns: UInt32
    public var stats: IPVSStats?

    public init(family: UInt16, address: [UInt8], port: UInt16, forwarding: UInt32 = IPVSConstants.forwardMasq,
                weight: Int32 = 1, upperThreshold: UInt32 = 0, lowerThreshold: UInt32 = 0, activeConns: UInt32 = 0,
                inactiveConns: UInt32 = 0, stats: IPVSStats? = nil) {
        self.family = family
        self.address = address
        self.port = port
        self.forwarding = forwarding
        self.weight = weight
        self.upperThreshold = upperThreshold
        self.lowerThreshold = lowerThreshold
        self.activeConns = activeConns
        self.inactiveConns = inactiveConns
        self.stats = stats
    }

    /// What identifies the real server within its service.
    public var key: IPVSRealServerKey { IPVSRealServerKey(family: family, address: address, port: port) }

    /// The configuration alone: no counters or connection counts.
    public var withoutStats: KernelRealServer {
        var copy = self
        copy.stats = nil
        copy.activeConns = 0
        copy.inactiveConns = 0
        return copy
    }
}

public struct IPVSRealServerKey: Hashable, Sendable {
    public var family: UInt16
    public var address: [UInt8]
    public var port: UInt16
}

/// One change to the kernel's table, for `IPVSKernel.apply`.
public enum IPVSChange: Hashable, Sendable {
    case addService(KernelVirtualService)
    case editService(KernelVirtualService)
    case deleteService(KernelVirtualService)
    case addRealServer(KernelRealServer, to: KernelVirtualService)
    case editRealServer(KernelRealServer, in: KernelVirtualService)
    case deleteRealServer(KernelRealServer, from: KernelVirtualService)
}

/// A failed IPVS operation: the operation's name (with the service or real
/// server), the errno the kernel answered (or a libnl code for socket
/// failures), and a sentence.
public struct IPVSError: Error, CustomStringConvertible, Hashable, Sendable {
    public var operation: String
    public var code: Int32
    public var message: String

    public init(operation: String, code: Int32, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    public var description: String { "IPVS \(operation): \(message) (error \(code))" }
}

/// The failures of one `apply`: each failed change with its index and
/// error. The other changes were carried out.
public struct IPVSBatchError: Error, CustomStringConvertible, Sendable {
    public var failures: [(index: Int, change: IPVSChange, error: IPVSError)]

    public var description: String {
        let first = failures.prefix(3).map { "#\($0.index): \($0.error)" }.joined(separator: "; ")
        return "\(failures.count) of the IPVS changes failed: \(first)" + (failures.count > 3 ? "; ..." : "")
    }
}

/// Numbers from linux/ip_vs.h and linux/netlink.h (a stable kernel ABI;
/// IPVSTests checks them against the headers).
public enum IPVSConstants {
    public static let afInet: UInt16 = 2
    public static let afInet6: UInt16 = 10
    public static let protoTCP: UInt16 = 6
    public static let protoUDP: UInt16 = 17
    public static let protoSCTP: UInt16 = 132

    public static let forwardMasq: UInt32 = 0
    public static let forwardLocal: UInt32 = 1
    public static let forwardTunnel: UInt32 = 2
    public static let forwardDirect: UInt32 = 3
    public static let forwardMask: UInt32 = 7

    public static let svcPersistent: UInt32 = 0x1
    public static let svcHashed: UInt32 = 0x2
    public static let svcOnePacket: UInt32 = 0x4
    public static let svcSched1: UInt32 = 0x8
    public static let svcSched2: UInt32 = 0x10
    public static let svcSched3: UInt32 = 0x20

    public static let schedulerNameMax = 16  // IP_VS_SCHEDNAME_MAXLEN, with the NUL
    public static let genlName = "IPVS"
    public static let genlVersion: UInt8 = 1
}
