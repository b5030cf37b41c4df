/// RFC 4271 §4.5 NOTIFICATION, with the RFC 9003 shutdown communication.
public struct NotificationMessage: Error, Hashable, Sendable {
    public var code: UInt8
    public var subcode: UInt8
    public var data: [UInt8]

    public init(code: UInt8, subcode: UInt8, data: [UInt8] = []) {
        self.code = code
        self.subcode = subcode
        self.data = data
    }

    public init(_ code: ErrorCode, _ subcode: UInt8, data: [UInt8] = []) {
        self.init(code: code.rawValue, subcode: subcode, data: data)
    }

    /// Cease with an RFC 9003 shutdown communication. The text is cut to 255
    /// bytes on a UTF-8 character boundary.
    public static func cease(_ subcode: CeaseSubcode, message: String? = nil) -> NotificationMessage {
        guard let message, subcode.carriesShutdownMessage else {
            return NotificationMessage(.cease, subcode.rawValue)
        }
        var bytes = Array(message.utf8)
        if bytes.count > BGPLimits.maxShutdownMessageLength {
            var cut = BGPLimits.maxShutdownMessageLength
            while cut > 0 && bytes[cut] & 0xC0 == 0x80 { cut -= 1 }  // not inside a character
            bytes = Array(bytes[..<cut])
        }
        return NotificationMessage(.cease, subcode.rawValue, data: [UInt8(bytes.count)] + bytes)
    }

    /// RFC 9003 §2: the shutdown communication of Cease/2 or Cease/4, when
    /// the data holds a length byte and that many bytes of valid UTF-8.
    public var shutdownMessage: String? {
        guard code == ErrorCode.cease.rawValue,
              let sub = CeaseSubcode(rawValue: subcode), sub.carriesShutdownMessage,
              let n = data.first, Int(n) <= data.count - 1 else { return nil }
        let text = data[1..<(1 + Int(n))]
        guard validateUTF8(text) else { return nil }
        return String(decoding: text, as: UTF8.self)
    }

    static func decode(_ body: inout ByteReader) throws(Truncated) -> NotificationMessage {
        let code = try body.u8()
        let sub = try body.u8()
        return NotificationMessage(code: code, subcode: sub, data: body.rest())
    }

    func encodeBody(into w: inout ByteWriter) {
        w.u8(code)
        w.u8(subcode)
        w.append(data)
    }
}

/// Strict UTF-8 check (no overlongs, no surrogates, at most U+10FFFF).
func validateUTF8<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
    var it = bytes.makeIterator()
    var decoder = UTF8()
    while true {
        switch decoder.decode(&it) {
        case .scalarValue: continue
        case .emptyInput: return true
        case .error: return false
        }
    }
}

/// RFC 2918 ROUTE-REFRESH with the RFC 7313 subtype. Bytes after the SAFI
/// (RFC 5291 ORF entries) are kept as they came.
public struct RouteRefreshMessage: Hashable, Sendable {
    public enum Subtype: UInt8, Sendable {
        case normal = 0
        case beginningOfRouteRefresh = 1   // BoRR
        case endOfRouteRefresh = 2         // EoRR
    }

    public var afi: AFI
    /// 0 normal, 1 BoRR, 2 EoRR; other values are kept so that the session
    /// can ignore them as RFC 7313 §5 requires.
    public var subtype: UInt8
    public var safi: SAFI
    public var orfData: [UInt8]

    public init(family: AddressFamily, subtype: Subtype = .normal, orfData: [UInt8] = []) {
        self.afi = family.afi
        self.safi = family.safi
        self.subtype = subtype.rawValue
        self.orfData = orfData
    }

    public init(afi: AFI, subtype: UInt8, safi: SAFI, orfData: [UInt8] = []) {
        self.afi = afi
        self.subtype = subtype
        self.safi = safi
        self.orfData = orfData
    }

    public var family: AddressFamily { AddressFamily(afi: afi, safi: safi) }

    static func decode(_ body: inout ByteReader) throws(Truncated) -> RouteRefreshMessage {
        let afi = try body.u16()
        let sub = try body.u8()
        let safi = try body.u8()
        return RouteRefreshMessage(afi: AFI(rawValue: afi), subtype: sub, safi: SAFI(rawValue: safi), orfData: body.rest())
    }

    func encodeBody(into w: inout ByteWriter) {
        w.u16(afi.rawValue)
        w.u8(subtype)
        w.u8(safi.rawValue)
        w.append(orfData)
    }
}
