import Foundation
import Testing
@testable import vipd

/// The control request reader against Foundation's JSON: the same answer
/// for what vipctl sends, and nil (so the caller falls back) for the rest.
@Suite struct ControlRequestTests {
    func foundation(_ text: String) -> ControlRequest? {
        guard let o = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
              let c = o["command"] as? String else { return nil }
        return ControlRequest(command: c, args: o["args"] as? [String] ?? [])
    }

    @Test(arguments: [
        #"{"command": "lb", "args": ["backend", "set", "--protocol", "tcp", "10.0.0.1:80", "[fd00::1]:80", "--weight", "0"]}"#,
        #"{"args":["show","--stats"],"command":"lb"}"#,
        #"{"command":"neighbors","args":[]}"#,
        #" { "command" : "vip" , "args" : [ "add" , "10.0.0.9" ] } "#,
        #"{"command":"x","args":["a\"b","c\\d","\/","\u00e9\u20ac","\ud83d\ude00","\n\t"]}"#,
    ])
    func agreesWithFoundation(_ text: String) {
        let mine = ControlRequest.parse(Array(text.utf8))
        #expect(mine != nil)
        #expect(mine == foundation(text))
    }

    @Test(arguments: [
        "", "{}", "[]", #"{"command": 1}"#, #"{"command": "a", "args": [1]}"#, #"{"command": "a", "extra": "b"}"#,
        #"{"command": "a""#, #"{"command": "a"} x"#, #"{"command": "a\q"}"#, #"{"command": "\ud800"}"#,
        "{\"command\": \"a\u{01}\"}",
    ])
    func refusesWhatItDoesNotRead(_ text: String) {
        #expect(ControlRequest.parse(Array(text.utf8)) == nil)
    }
}
