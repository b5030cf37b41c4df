import BGPCodec

/// The frames that tell a segment a VIP now lives behind this node's MAC:
/// gratuitous ARP for IPv4 and an unsolicited Neighbor Advertisement for
/// IPv6. Whole Ethernet frames without FCS, ready for an AF_PACKET raw
/// socket; pure values so the exact bytes are tested without a network.
///
/// Which forms a Linux receiver honours (docs in the lab notes, "Gratuitous
/// ARP and unsolicited NA"): a request with sender IP = target IP updates an
/// existing entry at once; a reply counts as gratuitous only when its target
/// MAC equals its sender MAC; an NA needs hop limit 255 and the Override flag
/// to replace a known MAC. None of them creates an entry where there is none.
public enum AnnouncementFrames {
    /// ARP opcodes (RFC 826).
    static let arpRequest: UInt16 = 1
    static let arpReply: UInt16 = 2
    /// EtherTypes.
    static let etherTypeARP: UInt16 = 0x0806
    static let etherTypeIPv6: UInt16 = 0x86DD
    /// The shortest Ethernet frame without FCS; shorter ones are padded.
    public static let minimumFrameLength = 60
    /// ff02::1, all nodes on the link, and its Ethernet group 33:33:00:00:00:01.
    static let allNodes = IPv6Address(high: 0xFF02_0000_0000_0000, low: 1)
    static let allNodesMAC = MACAddress(bytes: [0x33, 0x33, 0, 0, 0, 1])!

    /// Request form: Ethernet dst ff:ff:ff:ff:ff:ff, ARP op 1, sender =
    /// target = address, target MAC 00:00:00:00:00:00. What the Linux kernel
    /// itself sends (arping -U), and what every stack treats as gratuitous.
    public static func gratuitousARPRequest(sender: MACAddress, address: IPv4Address) -> [UInt8] {
        arp(op: arpRequest, sender: sender, address: address, targetMAC: .zero)
    }

    /// Reply form: ARP op 2, target MAC = sender MAC (Linux only treats that
    /// form of reply as gratuitous; with a broadcast target MAC it is an
    /// ordinary reply, ignored for `locktime` after the last update),
    /// Ethernet dst broadcast. Some older stacks honour only replies, so the
    /// daemon may send both forms.
    public static func gratuitousARPReply(sender: MACAddress, address: IPv4Address) -> [UInt8] {
        arp(op: arpReply, sender: sender, address: address, targetMAC: sender)
    }

    /// An ARP frame for IPv4 over Ethernet with sender IP = target IP, to
    /// the broadcast address, padded to the minimum frame length.
    static func arp(op: UInt16, sender: MACAddress, address: IPv4Address, targetMAC: MACAddress) -> [UInt8] {
        var frame: [UInt8] = []
        frame.reserveCapacity(minimumFrameLength)
        frame += MACAddress.broadcast.bytes            // Ethernet destination
        frame += sender.bytes                          // Ethernet source
        frame.appendBigEndian(etherTypeARP)
        frame.appendBigEndian(UInt16(1))               // hardware type: Ethernet
        frame.appendBigEndian(UInt16(0x0800))          // protocol type: IPv4
        frame.append(6)                                // hardware address length
        frame.append(4)                                // protocol address length
        frame.appendBigEndian(op)
        frame += sender.bytes                          // sender hardware address
        frame += address.octets                        // sender protocol address
        frame += targetMAC.bytes                       // target hardware address
        frame += address.octets                        // target protocol address
        frame += [UInt8](repeating: 0, count: minimumFrameLength - frame.count)
        return frame
    }

    /// Unsolicited NA (RFC 4861 §7.2.6): Ethernet dst 33:33:00:00:00:01,
    /// IPv6 src `source`, dst ff02::1, hop limit 255 (receivers drop ND with
    /// any other), ICMPv6 136 with the Override flag only (Solicited must be
    /// clear for a multicast destination, Router is not ours to claim),
    /// target = `target`, option 2 (target link-layer address) = sender, and
    /// the ICMPv6 checksum over the pseudo-header.
    public static func unsolicitedNA(sender: MACAddress, target: IPv6Address, source: IPv6Address) -> [UInt8] {
        var icmp: [UInt8] = []
        icmp.reserveCapacity(32)
        icmp.append(136)                               // type: Neighbor Advertisement
        icmp.append(0)                                 // code
        icmp += [0, 0]                                 // checksum, filled in below
        icmp += [0x20, 0, 0, 0]                        // R=0 S=0 O=1, reserved
        icmp += target.octets                          // target address
        icmp.append(2)                                 // option: target link-layer address
        icmp.append(1)                                 // option length in units of 8 bytes
        icmp += sender.bytes
        let checksum = InternetChecksum.icmpv6(source: source, destination: allNodes, message: icmp)
        icmp[2] = UInt8(checksum >> 8)
        icmp[3] = UInt8(checksum & 0xFF)

        var frame: [UInt8] = []
        frame.reserveCapacity(14 + 40 + icmp.count)
        frame += allNodesMAC.bytes                     // Ethernet destination
        frame += sender.bytes                          // Ethernet source
        frame.appendBigEndian(etherTypeIPv6)
        frame += [0x60, 0, 0, 0]                       // version 6, traffic class 0, flow label 0
        frame.appendBigEndian(UInt16(icmp.count))      // payload length
        frame.append(58)                               // next header: ICMPv6
        frame.append(255)                              // hop limit
        frame += source.octets
        frame += allNodes.octets
        frame += icmp
        return frame
    }
}

/// The Internet checksum (RFC 1071) as ICMPv6 uses it (RFC 4443 §2.3).
enum InternetChecksum {
    /// One's complement of the one's complement sum over the IPv6
    /// pseudo-header (source, destination, upper-layer length, next header
    /// 58) and the message, whose checksum field must be zero.
    static func icmpv6(source: IPv6Address, destination: IPv6Address, message: [UInt8]) -> UInt16 {
        var pseudo = source.octets + destination.octets
        pseudo.appendBigEndian(UInt32(message.count))
        pseudo += [0, 0, 0, 58]
        return ~onesComplementSum(pseudo + message)
    }

    /// The 16-bit one's complement sum, an odd last byte padded with zero.
    static func onesComplementSum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < bytes.count {
            sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
            i += 2
        }
        if i < bytes.count { sum += UInt32(bytes[i]) << 8 }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return UInt16(sum)
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt16) {
        append(UInt8(value >> 8))
        append(UInt8(value & 0xFF))
    }

    mutating func appendBigEndian(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}
