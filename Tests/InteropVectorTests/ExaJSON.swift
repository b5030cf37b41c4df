import Foundation


/// ExaBGP's JSON, parsed just far enough to compare. Numbers keep their
/// text, so that 64-bit extended community values keep every digit.
indirect enum ExaJSON {
    case object([(key: String, value: ExaJSON)])
    case array([ExaJSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    subscript(key: String) -> ExaJSON? { entries.first { $0.key == key }?.value }
    var entries: [(key: String, value: ExaJSON)] { if case .object(let o) = self { o } else { [] } }
    var items: [ExaJSON]? { if case .array(let a) = self { a } else { nil } }
    var text: String? {
        switch self {
        case .string(let s), .number(let s): return s
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    struct SyntaxError: Error {
        var at: Int
        var what: String
    }

    static func parse(_ s: String) throws -> ExaJSON {
        var p = Parser(b: Array(s.utf8))
        let v = try p.value()
        p.space()
        guard p.i == p.b.count else { throw SyntaxError(at: p.i, what: "trailing text") }
        return v
    }

    private struct Parser {
        let b: [UInt8]
        var i = 0

        mutating func space() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
        }

        /// Skips space; true (and consumes it) if the next byte is `c`.
        mutating func take(_ c: Unicode.Scalar) -> Bool {
            space()
            guard i < b.count, b[i] == UInt8(ascii: c) else { return false }
            i += 1
            return true
        }

        mutating func need(_ c: Unicode.Scalar) throws {
            guard take(c) else { throw SyntaxError(at: i, what: "expected \(c)") }
        }

        mutating func value() throws -> ExaJSON {
            if take("{") {
                var o: [(key: String, value: ExaJSON)] = []
                if take("}") { return .object(o) }
                repeat {
                    let k = try string()
                    try need(":")
                    o.append((k, try value()))
                } while take(",")
                try need("}")
                return .object(o)
            }
            if take("[") {
                var a: [ExaJSON] = []
                if take("]") { return .array(a) }
                repeat { a.append(try value()) } while take(",")
                try need("]")
                return .array(a)
            }
            if i < b.count, b[i] == UInt8(ascii: "\"") { return .string(try string()) }
            let start = i
            while i < b.count, b[i] > 0x20, !",}]:".utf8.contains(b[i]) { i += 1 }
            let word = String(decoding: b[start..<i], as: UTF8.self)
            switch word {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            default:
                guard !word.isEmpty, word.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }) else {
                    throw SyntaxError(at: start, what: "bad literal \(word)")
                }
                return .number(word)
            }
        }

        mutating func string() throws -> String {
            try need("\"")
            var out: [UInt8] = []
            let escapes: [UInt8: UInt8] = [UInt8(ascii: "n"): 0x0A, UInt8(ascii: "t"): 0x09, UInt8(ascii: "r"): 0x0D,
                                           UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C]
            while i < b.count {
                let c = b[i]
                i += 1
                if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                guard c == UInt8(ascii: "\\"), i < b.count else { out.append(c); continue }
                let e = b[i]
                i += 1
                if e == UInt8(ascii: "u") {
                    guard i + 4 <= b.count, let v = UInt32(String(decoding: b[i..<(i + 4)], as: UTF8.self), radix: 16) else {
                        throw SyntaxError(at: i, what: "bad \\u escape")
                    }
                    i += 4
                    out += Array(String(Unicode.Scalar(v) ?? "\u{FFFD}").utf8)
                } else {
                    out.append(escapes[e] ?? e)
                }
            }
            throw SyntaxError(at: i, what: "unterminated string")
        }
    }
}
