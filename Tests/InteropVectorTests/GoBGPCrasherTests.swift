import BGPCodec
import Testing

// GoBGP's fuzzing crashers (gobgp-bad-len/*): 31-64 raw bytes each. None
// starts with the all-ones marker, so as captured each is RFC 4271 §6.1
// Connection Not Synchronized (1/1) before any length is read. With the
// marker made all ones, the lengths inside are what is judged; the outcome
// each must then give is derived below, one line per file.

@Suite struct GoBGPCrasherTests {
    static let folder = "gobgp-bad-len"

    struct Crasher: Sendable, CustomTestStringConvertible {
        var file: String
        /// The NOTIFICATION and action once the marker is repaired.
        var notification: NotificationMessage
        var action: ErrorAction
        var testDescription: String { file }
        init(_ file: String, _ code: UInt8, _ subcode: UInt8, _ action: ErrorAction) {
            self.file = file
            // RFC 4271 §6.2: Unsupported Version carries the largest version
            // we support; Invalid Network Field carries no data.
            self.notification = NotificationMessage(code: code, subcode: subcode, data: code == 2 && subcode == 1 ? [0, 4] : [])
            self.action = action
        }
    }

    static let crashers: [Crasher] = [
        // OPEN, length 64, version byte 0x30: RFC 4271 §6.2 Unsupported Version Number.
        Crasher("000852858287eb2ece5cd12aabef453f87b77adb", 2, 1, .sessionReset),
        // OPEN, length 64, version byte 0xFF: RFC 4271 §6.2 Unsupported Version Number.
        Crasher("0b229debaa2fc1e8b997c9894ad3184cce8c7bb4", 2, 1, .sessionReset),
        // UPDATE, length 31: the 3-byte attribute field is an MP_UNREACH header claiming 5 bytes (RFC 7606 §4,
        // treat-as-withdraw), and the NLRI 00 19 46 03 00 ends inside a /25: RFC 4271 §6.3 Invalid Network
        // Field, session reset (RFC 7606 §5.3), the more severe (RFC 7606 §3 h).
        Crasher("147a924d9a4a4d9960f8bb49e3ec782ee93f82a7", 3, 10, .sessionReset),
        // OPEN, length 64, version byte 0x30: RFC 4271 §6.2 Unsupported Version Number.
        Crasher("1d1fb484828b4f23af3ff0ab71b67682d5876fd6", 2, 1, .sessionReset),
        // UPDATE, length 64: attribute field 30 30 30 is an extended-length header cut short (RFC 7606 §4,
        // treat-as-withdraw); the NLRI starts with a /48 IPv4 prefix: Invalid Network Field, session reset.
        Crasher("27f19d6959e9cbecfcd09b28c3aec493a4b6f18d", 3, 10, .sessionReset),
        // UPDATE, length 48: the same cut-short header; NLRI starts with a /48: Invalid Network Field.
        Crasher("3765bb2392d48ca8edaf0b5e39209eb2d1b87c53", 3, 10, .sessionReset),
        // UPDATE, length 31: MP_UNREACH header claiming 5 bytes; NLRI 00 19 46 02 00 ends inside a /25.
        Crasher("3dce7e046d709b142092e15b78e9ad20ee5144fa", 3, 10, .sessionReset),
        // UPDATE, length 31: attribute 26 (AIGP) header claiming 5 bytes; NLRI starts with a /48.
        Crasher("4d4dc736bc89bf41363774d282b8a7641c3e7a98", 3, 10, .sessionReset),
        // UPDATE, length 31: MP_UNREACH header claiming 5 bytes; NLRI 00 19 46 01 00 ends inside a /25.
        Crasher("66e6aab4f34c9c5783c18f90b2d987e5dad241e0", 3, 10, .sessionReset),
        // UPDATE, length 31: MP_UNREACH header claiming 5 bytes; NLRI 00 19 46 04 00 ends inside a /25.
        Crasher("a8ecedce17e2e28a466cf9fb3bfaf2d8554fef42", 3, 10, .sessionReset),
        // UPDATE, length 31: MP_UNREACH header claiming 5 bytes; NLRI 0/0, 128/1, then a /48.
        Crasher("b7ed0646a97127bf424da480a53a84a0cb9c9565", 3, 10, .sessionReset),
    ]

    @Test func everyInputIsThere() {
        #expect(TestData.files(in: Self.folder) { $0 != "LICENSE" } == Self.crashers.map(\.file).sorted())
    }

    static func declaredLength(_ bytes: [UInt8]) -> Int {
        Int(bytes[16]) << 8 | Int(bytes[17])
    }

    @Test(arguments: crashers)
    func asCaptured(_ c: Crasher) throws {
        let bytes = try TestData.bytes("\(Self.folder)/\(c.file)")
        #expect(!bytes.starts(with: [UInt8](repeating: 0xFF, count: 16)))
        let r = MessageCodec.decode(bytes)
        #expect(r == .failure(.header(.connectionNotSynchronized)))
        #expect(TestData.outcome(r) == TestData.Outcome(1, 1, .sessionReset))
        // Byte by byte, the framer reports the same fault, once, and no
        // message (whether it then steps over the declared length is its
        // own business: the session resets either way).
        let framed = TestData.frame(bytes, byteAtATime: true)
        #expect(framed.frames.count == 1)
        for f in framed.frames {
            guard case .error(let fault, _) = f else { Issue.record("\(c.file): \(f)"); continue }
            #expect(fault == .connectionNotSynchronized)
        }
    }

    @Test(arguments: crashers)
    func withTheMarkerRepaired(_ c: Crasher) throws {
        var bytes = try TestData.bytes("\(Self.folder)/\(c.file)")
        bytes.replaceSubrange(0..<16, with: repeatElement(0xFF, count: 16))
        let declared = Self.declaredLength(bytes)
        #expect(declared >= BGPLimits.headerLength && declared <= bytes.count)
        let message = Array(bytes.prefix(declared))
        let r = MessageCodec.decode(message)
        #expect(r.fault?.notification == c.notification)
        #expect(r.action == c.action)
        // Byte by byte, the framer cuts the same message and holds the rest.
        let framed = TestData.frame(bytes, byteAtATime: true)
        #expect(framed.frames == [.message(message[...])])
        #expect(framed.buffered == bytes.count - declared)
        for case .message(let m) in framed.frames {
            #expect(MessageCodec.decode(m) == r)
        }
        // MessageCodec.decode takes exactly one message: with the trailing
        // bytes the Length field is wrong for it, RFC 4271 §6.1 Bad Message
        // Length with that field as Data.
        if declared < bytes.count {
            let whole = MessageCodec.decode(bytes)
            #expect(whole.fault?.notification == NotificationMessage(code: 1, subcode: 2, data: [bytes[16], bytes[17]]))
        }
    }
}
