/// An Ethernet (EUI-48) address. The announcement frames carry it twice
/// (Ethernet source and the ARP or NDP sender field), so it is a value of
/// its own rather than loose bytes: a wrong length cannot reach a frame.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    private let octets: [UInt8]

    /// "aa:bb:cc:dd:ee:ff": six groups of two hex digits (either case), as
    /// `ip link` prints and as the config names an interface's address.
    public init?(_ text: String) {
        let groups = text.split(separator: ":", omittingEmptySubsequences: false)
        guard groups.count == 6 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(6)
        for group in groups {
            guard group.count == 2, group.allSatisfy(\.isHexDigit), let byte = UInt8(group, radix: 16) else {
                return nil
            }
            bytes.append(byte)
        }
        octets = bytes
    }

    /// Exactly six bytes, as the kernel reports IFLA_ADDRESS of an Ethernet link.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 6 else { return nil }
        octets = bytes
    }

    /// The six bytes, first on the wire first.
    public var bytes: [UInt8] { octets }

    /// ff:ff:ff:ff:ff:ff, the Ethernet destination of every GARP.
    public static let broadcast = MACAddress(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])!
    /// 00:00:00:00:00:00, the unknown target hardware address of an ARP request.
    public static let zero = MACAddress(bytes: [0, 0, 0, 0, 0, 0])!

    /// Group bit set: not a station's own address, never a frame's sender.
    public var isMulticast: Bool { octets[0] & 0x01 != 0 }

    /// Lower case, colon separated, as `ip link` prints it.
    public var description: String {
        octets.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }
}
