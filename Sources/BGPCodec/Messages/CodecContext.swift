/// What a session negotiated that changes the wire format. The decoder takes
/// the receive side's context and the encoder the send side's; `vipctl
/// decode` builds one from its flags alone.
public struct CodecContext: Hashable, Sendable {
    /// RFC 6793: AS numbers in AS_PATH and AGGREGATOR are 4 bytes.
    public var fourOctetAS: Bool
    /// RFC 7911: families whose NLRI carry a path identifier in this direction.
    public var addPath: Set<AddressFamily>
    /// RFC 8654: 65535 when Extended Message is negotiated, else 4096.
    public var maxMessageLength: Int

    public init(fourOctetAS: Bool = true, addPath: Set<AddressFamily> = [], extendedMessage: Bool = false) {
        self.fourOctetAS = fourOctetAS
        self.addPath = addPath
        self.maxMessageLength = extendedMessage ? BGPLimits.maxExtendedMessageLength : BGPLimits.maxMessageLength
    }

    public static let `default` = CodecContext()

    @inlinable
    func usesAddPath(_ family: AddressFamily) -> Bool {
        !addPath.isEmpty && addPath.contains(family)
    }
}
