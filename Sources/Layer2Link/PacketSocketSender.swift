import KernelRoutes
#if canImport(Glibc)
import Glibc
#endif

/// Sends announcement frames through an AF_PACKET SOCK_RAW socket: the
/// frame goes out exactly as built (our MAC, our EtherType), which neither
/// an IP nor an ARP socket allows. The socket is opened with protocol 0, so
/// it never receives anything and costs no buffer space; each send names
/// the interface and the destination MAC in a sockaddr_ll.
///
/// An AF_PACKET socket belongs to the network namespace of the thread that
/// created it, and interface indexes are resolved there. One owner.
public final class PacketSocketSender: FrameSender {
    private let fd: Int32

    public init() throws {
        fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw Self.error("socket(AF_PACKET, SOCK_RAW)") }
    }

    deinit { close(fd) }

    public func send(_ frame: [UInt8], interfaceIndex: UInt32) throws {
        let operation = "send \(frame.count)-byte frame on if\(interfaceIndex)"
        guard frame.count >= 14 else {
            throw KernelError(operation: operation, code: 0, message: "shorter than an Ethernet header")
        }
        var address = LinkLayerAddress(
            family: UInt16(AF_PACKET),
            protocolBigEndian: (UInt16(frame[12]) << 8 | UInt16(frame[13])).bigEndian,  // the frame's EtherType
            interfaceIndex: Int32(bitPattern: interfaceIndex),
            hardwareType: 0, packetType: 0, addressLength: 6,
            address: (frame[0], frame[1], frame[2], frame[3], frame[4], frame[5], 0, 0))
        while true {
            let sent = frame.withUnsafeBytes { bytes in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, bytes.baseAddress, bytes.count, 0, $0,
                               socklen_t(MemoryLayout<LinkLayerAddress>.size))
                    }
                }
            }
            if sent == frame.count { return }
            if sent < 0 && errno == EINTR { continue }
            if sent < 0 { throw Self.error(operation) }
            throw KernelError(operation: operation, code: 0, message: "only \(sent) bytes sent")
        }
    }

    private static func error(_ operation: String) -> KernelError {
        let code = errno
        return KernelError(operation: operation, code: 0, message: String(cString: strerror(code)))
    }
}

/// struct sockaddr_ll from <netpacket/packet.h>, which Swift's Glibc module
/// does not import; same fields, same order, same 20-byte layout.
private struct LinkLayerAddress {
    var family: UInt16                 // sll_family: AF_PACKET
    var protocolBigEndian: UInt16      // sll_protocol, network order
    var interfaceIndex: Int32          // sll_ifindex
    var hardwareType: UInt16           // sll_hatype (receive only)
    var packetType: UInt8              // sll_pkttype (receive only)
    var addressLength: UInt8           // sll_halen
    var address: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)  // sll_addr
}
