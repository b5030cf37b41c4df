/// IFA_F_* flags of an interface address (the 32-bit IFA_FLAGS attribute).
public struct AddressFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let secondary = AddressFlags(rawValue: 0x01)
    /// IPv6: no duplicate address detection, usable at once.
    public static let noDAD = AddressFlags(rawValue: 0x02)
    public static let optimistic = AddressFlags(rawValue: 0x04)
    public static let dadFailed = AddressFlags(rawValue: 0x08)
    public static let homeAddress = AddressFlags(rawValue: 0x10)
    public static let deprecated = AddressFlags(rawValue: 0x20)
    public static let tentative = AddressFlags(rawValue: 0x40)
    public static let permanent = AddressFlags(rawValue: 0x80)
    public static let manageTempAddr = AddressFlags(rawValue: 0x100)
    public static let noPrefixRoute = AddressFlags(rawValue: 0x200)

    /// The flags a caller may ask for when adding; the others are the
    /// kernel's own reports (permanent, tentative, dadfailed, ...).
    public static let settable: AddressFlags = [.noDAD, .homeAddress, .manageTempAddr, .noPrefixRoute]

    public var description: String {
        let names: [(AddressFlags, String)] = [
            (.secondary, "secondary"), (.noDAD, "nodad"), (.optimistic, "optimistic"),
            (.dadFailed, "dadfailed"), (.homeAddress, "home"), (.deprecated, "deprecated"),
            (.tentative, "tentative"), (.permanent, "permanent"),
            (.manageTempAddr, "mngtmpaddr"), (.noPrefixRoute, "noprefixroute"),
        ]
        return names.filter { contains($0.0) }.map(\.1).joined(separator: " ")
    }
}

/// An address on an interface, as `ip addr` shows it. VIPs are /32 or /128.
public struct InterfaceAddress: Hashable, Sendable, CustomStringConvertible {
    public let address: KernelAddress
    public let prefixLength: UInt8
    public let interfaceIndex: UInt32
    public let flags: AddressFlags
    public let scope: RouteScope
    /// IFA_PROTO (Linux 5.18+): who added the address; 0 is unspecified.
    /// vipd marks its own addresses with it as a second owner record.
    public let proto: UInt8

    public init(address: KernelAddress, prefixLength: UInt8? = nil, interfaceIndex: UInt32,
                flags: AddressFlags = [], scope: RouteScope = .universe, proto: UInt8 = 0) {
        self.address = address
        self.prefixLength = prefixLength ?? address.family.maxPrefixLength
        self.interfaceIndex = interfaceIndex
        self.flags = flags
        self.scope = scope
        self.proto = proto
    }

    /// A VIP on an interface: /32, or /128 with `nodad` (usable at once,
    /// no duplicate address detection on a shared address).
    public static func vip(_ address: KernelAddress, interfaceIndex: UInt32,
                           scope: RouteScope = .universe, proto: UInt8 = 0) -> InterfaceAddress {
        InterfaceAddress(address: address, interfaceIndex: interfaceIndex,
                         flags: address.family == .ipv6 ? [.noDAD] : [], scope: scope, proto: proto)
    }

    /// Same interface, address and length: what the kernel keys an address by.
    public func isSameAddress(as other: InterfaceAddress) -> Bool {
        address == other.address && prefixLength == other.prefixLength && interfaceIndex == other.interfaceIndex
    }

    /// `inet 10.0.1.100/32 scope global dev if1 proto 250 nodad`.
    public var description: String {
        var words = ["\(address.family == .ipv4 ? "inet" : "inet6") \(address)/\(prefixLength)",
                     "scope \(scope)", "dev if\(interfaceIndex)"]
        if proto != 0 { words.append("proto \(proto)") }
        if !flags.isEmpty { words.append(flags.description) }
        return words.joined(separator: " ")
    }
}
