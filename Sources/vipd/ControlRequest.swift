/// One control request, `{"command": C, "args": [A, ...]}`, read straight
/// from its bytes. Foundation's JSONSerialization builds NSDictionary and
/// NSString values first, which costs more than the rest of a request like
/// `lb backend set` (whose time, from the request's arrival to the netlink
/// acknowledgement, is a measured figure). Strings take JSON's escapes;
/// anything else in the object (other keys, other value types) makes the
/// parse fail, and the caller falls back to JSONSerialization.
struct ControlRequest: Equatable {
    var command: String
    var args: [String]

    static func parse(_ bytes: [UInt8]) -> ControlRequest? {
        var p = Reader(bytes: bytes)
        var command: String?
        var args: [String] = []
        guard p.take(UInt8(ascii: "{")) else { return nil }
        if p.take(UInt8(ascii: "}")) { return nil }
        repeat {
            guard let key = p.string(), p.take(UInt8(ascii: ":")) else { return nil }
            switch key {
            case "command":
                guard let c = p.string() else { return nil }
                command = c
            case "args":
                guard p.take(UInt8(ascii: "[")) else { return nil }
                if !p.take(UInt8(ascii: "]")) {
                    repeat {
                        guard let a = p.string() else { return nil }
                        args.append(a)
                    } while p.take(UInt8(ascii: ","))
                    guard p.take(UInt8(ascii: "]")) else { return nil }
                }
            default:
                return nil
            }
        } while p.take(UInt8(ascii: ","))
        guard p.take(UInt8(ascii: "}")), p.atEnd, let command else { return nil }
        return ControlRequest(command: command, args: args)
    }

    private struct Reader {
        let bytes: [UInt8]
        var i = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        var atEnd: Bool {
            mutating get {
                skipSpace()
                return i == bytes.count
            }
        }

        mutating func take(_ b: UInt8) -> Bool {
            skipSpace()
            guard i < bytes.count, bytes[i] == b else { return false }
            i += 1
            return true
        }

        /// A JSON string with its escapes (\uXXXX with surrogate pairs).
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var out: [UInt8] = []
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                switch b {
                case UInt8(ascii: "\""):
                    return String(validating: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard i < bytes.count else { return nil }
                    let e = bytes[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var scalar = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard take(UInt8(ascii: "\\")), i < bytes.count, bytes[i] == UInt8(ascii: "u") else { return nil }
                            i += 1
                            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let u = Unicode.Scalar(scalar) else { return nil }
                        out.append(contentsOf: Array(String(Character(u)).utf8))
                    default: return nil
                    }
                case 0..<0x20:
                    return nil
                default:
                    out.append(b)
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard i + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                i += 1
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
                default: return nil
                }
                v = v << 4 | d
            }
            return v
        }
    }
}
