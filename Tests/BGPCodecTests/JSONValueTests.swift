import BGPCodecJSON
import Foundation
import Testing

/// The compact JSON writer behind every control reply and decode line.
@Suite struct JSONValueTests {
    @Test(arguments: [
        (JSONValue.null, "null"),
        (.bool(true), "true"),
        (.bool(false), "false"),
        (.integer(0), "0"),
        (.integer(-7), "-7"),
        (.integer(Int64.max), "9223372036854775807"),
        (.integer(Int64.min), "-9223372036854775808"),
        (.double(0.5), "0.5"),
        (.double(.infinity), "null"),
        (.string("plain"), "\"plain\""),
        (.string("a\"b\\c"), #""a\"b\\c""#),
        (.string("line\nret\rtab\t\u{1}\u{1f}"), #""line\nret\rtab\t\u0001\u001f""#),
        (.string("é ☃ 🂡"), "\"é ☃ 🂡\""),
        (.array([]), "[]"),
        (.object([]), "{}"),
        (.array([.integer(1), .string("x"), .null]), #"[1, "x", null]"#),
        (.object([("b", .integer(2)), ("a", .array([.bool(true)]))]), #"{"b": 2, "a": [true]}"#),
    ])
    func compactText(value: JSONValue, text: String) {
        #expect(value.serialized == text)
        #expect(value.serializedBytes == Array(text.utf8))
    }

    /// Whatever the writer emits is JSON that Foundation reads back to the
    /// same values (strings with every control character and non-ASCII).
    @Test func foundationReadsItBack() throws {
        var s = ""
        for u in 0..<0x80 { s.unicodeScalars.append(Unicode.Scalar(UInt8(u))) }
        s += "é☃🂡"
        let value = JSONValue.object([("s", .string(s)), ("n", .integer(-123456789012)), ("list", .array((0..<100).map { .integer(Int64($0 * 997)) }))])
        let back = try #require(JSONSerialization.jsonObject(with: Data(value.serializedBytes)) as? [String: Any])
        #expect(back["s"] as? String == s)
        #expect((back["n"] as? NSNumber)?.int64Value == -123456789012)
        #expect((back["list"] as? [Int]) == (0..<100).map { $0 * 997 })
    }

    /// The streaming writer gives the same text as the value it mirrors.
    @Test func streamMatchesValue() {
        let value = JSONValue.array([
            .object([("a", .integer(-1)), ("b", .array([])), ("c", .object([])), ("d", .null), ("e", .bool(false)),
                     ("f", .array([.string("x\"y"), .integer(2)]))]),
            .object([]),
        ])
        var w = JSONStream()
        w.beginArray()
        w.beginObject()
        w.field("a", -1); w.key("b"); w.beginArray(); w.endArray(); w.key("c"); w.beginObject(); w.endObject()
        w.key("d"); w.null(); w.field("e", false)
        w.key("f"); w.beginArray(); w.string("x\"y"); w.int(2); w.endArray()
        w.endObject()
        w.beginObject(); w.endObject()
        w.endArray()
        #expect(String(decoding: w.bytes, as: UTF8.self) == value.serialized)
        var u = JSONStream()
        u.int(UInt64.max)
        #expect(u.bytes == Array("18446744073709551615".utf8))
    }
}
