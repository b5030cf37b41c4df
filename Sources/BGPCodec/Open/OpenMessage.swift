/// RFC 4271 §4.2 OPEN, with capabilities (RFC 5492) and the RFC 9072
/// extended optional-parameters length.
public struct OpenMessage: Hashable, Sendable {
    public var version: UInt8
    /// "My Autonomous System": AS_TRANS (23456) when the real AS needs 4 bytes.
    public var myAS: UInt16
    public var holdTime: UInt16
    public var identifier: IPv4Address
    public var capabilities: [Capability]
    /// How the capabilities were laid out in optional parameters on the
    /// wire. Kept so that a decoded OPEN re-encodes to the same bytes; it
    /// takes no part in equality.
    public var layout: ParameterLayout

    public struct ParameterLayout: Hashable, Sendable {
        /// Number of capabilities in each Capabilities parameter, in order.
        public var capabilitiesPerParameter: [Int]
        /// RFC 9072 form (type 255 marker and 2-byte lengths).
        public var extended: Bool
        public init(capabilitiesPerParameter: [Int] = [], extended: Bool = false) {
            self.capabilitiesPerParameter = capabilitiesPerParameter
            self.extended = extended
        }
        public static func == (_: Self, _: Self) -> Bool { true }
        public func hash(into _: inout Hasher) {}
    }

    public static let asTrans: UInt16 = 23456

    public init(asn: UInt32, holdTime: UInt16, identifier: IPv4Address, capabilities: [Capability], version: UInt8 = 4) {
        self.version = version
        self.myAS = asn > UInt32(UInt16.max) ? OpenMessage.asTrans : UInt16(asn)
        self.holdTime = holdTime
        self.identifier = identifier
        self.capabilities = capabilities
        self.layout = ParameterLayout()
    }

    public init(version: UInt8 = 4, myAS: UInt16, holdTime: UInt16, identifier: IPv4Address, capabilities: [Capability]) {
        self.version = version
        self.myAS = myAS
        self.holdTime = holdTime
        self.identifier = identifier
        self.capabilities = capabilities
        self.layout = ParameterLayout()
    }

    /// The speaker's AS: the 4-octet AS capability when present (RFC 6793),
    /// else My Autonomous System.
    public var asn: UInt32 {
        for case .fourOctetAS(let a) in capabilities { return a }
        return UInt32(myAS)
    }
}

/// RFC 4271 §4.2 optional parameter types.
enum OptionalParameterType {
    static let capabilities: UInt8 = 2
    /// RFC 9072: a first parameter type of 255 with a length byte of 255
    /// marks the extended format.
    static let extendedLength: UInt8 = 255
}

extension OpenMessage {
    static func decode(_ body: inout ByteReader) -> Result<OpenMessage, OpenFault> {
        do {
            return try decodeThrowing(&body)
        } catch {
            return .failure(.malformedOptionalParameters)
        }
    }

    private static func decodeThrowing(_ r: inout ByteReader) throws(Truncated) -> Result<OpenMessage, OpenFault> {
        let version = try r.u8()
        let myAS = try r.u16()
        let hold = try r.u16()
        let id = try r.u32()
        var optLen = Int(try r.u8())
        // RFC 4271 §6.2: version first, then the other fields.
        guard version == 4 else { return .failure(.unsupportedVersion(version)) }
        var extended = false
        if optLen == 255, r.peek() == OptionalParameterType.extendedLength {
            _ = try r.u8()
            optLen = Int(try r.u16())
            extended = true
        }
        guard optLen == r.remaining else { return .failure(.malformedOptionalParameters) }
        var caps: [Capability] = []
        var perParam: [Int] = []
        while !r.isAtEnd {
            let type = try r.u8()
            let len = extended ? Int(try r.u16()) : Int(try r.u8())
            var param = try r.sub(len)
            guard type == OptionalParameterType.capabilities else {
                return .failure(.unsupportedOptionalParameter(type))
            }
            var n = 0
            while !param.isAtEnd {
                let code = try param.u8()
                let clen = Int(try param.u8())
                let value = try param.bytes(clen)
                guard let cap = Capability.decode(code: code, value: value) else {
                    return .failure(.malformedCapability(code: code, data: [code, UInt8(clen)] + value))
                }
                caps.append(cap)
                n += 1
            }
            perParam.append(n)
        }
        if hold == 1 || hold == 2 { return .failure(.unacceptableHoldTime(hold)) }
        if id == 0 { return .failure(.badBGPIdentifier(id)) }
        var open = OpenMessage(version: version, myAS: myAS, holdTime: hold, identifier: IPv4Address(id), capabilities: caps)
        open.layout = ParameterLayout(capabilitiesPerParameter: perParam, extended: extended)
        return .success(open)
    }

    func encodeBody(into w: inout ByteWriter) {
        w.u8(version)
        w.u16(myAS)
        w.u16(holdTime)
        w.u32(identifier.value)
        // Group capabilities as the layout says when it still fits them,
        // else all in one parameter.
        var groups: [ArraySlice<Capability>] = []
        let counts = layout.capabilitiesPerParameter
        if counts.reduce(0, +) == capabilities.count && !counts.isEmpty {
            var i = 0
            for c in counts { groups.append(capabilities[i..<(i + c)]); i += c }
        } else if !capabilities.isEmpty {
            groups = [capabilities[...]]
        }
        var params = ByteWriter(capacity: 64)
        let encodedGroups: [[UInt8]] = groups.map { g in
            var pw = ByteWriter(capacity: 32)
            for c in g {
                let v = c.value
                pw.u8(c.code)
                pw.u8(UInt8(min(v.count, 255)))
                pw.append(v.prefix(255))
            }
            return pw.bytes
        }
        let needExtended = layout.extended
            || encodedGroups.contains { $0.count > 255 }
            || encodedGroups.reduce(0) { $0 + 2 + $1.count } > 255
        for g in encodedGroups {
            params.u8(OptionalParameterType.capabilities)
            if needExtended { params.u16(UInt16(g.count)) } else { params.u8(UInt8(g.count)) }
            params.append(g)
        }
        if needExtended {
            w.u8(255)
            w.u8(OptionalParameterType.extendedLength)
            w.u16(UInt16(params.count))
        } else {
            w.u8(UInt8(params.count))
        }
        w.append(params.bytes)
    }
}
