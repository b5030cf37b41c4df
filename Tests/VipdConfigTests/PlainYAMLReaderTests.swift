import Foundation
import TestSupport
import Testing
@testable import VipdConfig

/// The reader without libyaml (`PlainYAMLReader`) reads what it accepts
/// exactly as libyaml does, node for node with lines and columns, and
/// declines the rest, which libyaml then reads.
@Suite struct PlainYAMLReaderTests {
    /// Accepted, and read as libyaml reads it.
    @Test(arguments: [
        "a: 1\nb: two words\n",
        "a: 1", // no newline at the end
        "  a: 1\n  b: 2\n", // an indented root
        "# head\n\na: 1   # after\n   # indented comment\n\nb: x#y\n",
        "a:\nb:\n", // empty values, at the end too
        "a:   \n  b: 1\n  c:\n    d: ~\n",
        "a:\n  - x\n  - \n  -\n  - y\n",
        "a:\n- x\n- y\nb: 1\n", // a sequence at its key's indentation
        "- a: 1\n  b: 2\n-   c: 3\n    d:\n    - e\n-\n  f: 4\n- g\n",
        "s:\n  - vip: 10.0.0.1\n    port: 80\n    health: {type: none}\n    backends:\n      - {address: 10.0.0.2, port: 80, weight: 1}\n",
        "a: {}\nb: []\nc: [1, 2 , x y]\nd: {e: [f, {g: h}], i: 'j k'}\n",
        "a: \"127.0.0.1:2112\"\nb: ''\nc: \"\"\nd: 'it is'\ne: {f: \"x, y\"}\n",
        "a: http://x/y?z\nb: fd00::1\nc: -1\nd: a, b]\ne: a :b\n",
        "a  : 1\nkey with spaces: value with spaces  \n",
        "~: 1\nnull: 2\nNULL: ~\nx: Null\n",
        "a: [-1, -x]\nb: {c: -2}\n",
        "a:\n  - b:\n  - c\n",
        "a:\n  b:\n\n# c\n\n  d: 1\n",
        "- x\n- y\n", // a sequence at the top, refused later by the config
    ])
    func readsAsLibyamlDoes(_ yaml: String) {
        #expect(ConfigDocument.plainReading(yaml: yaml) == .same, "\(yaml)")
    }

    /// Declined, so that libyaml reads (or refuses) it.
    @Test(arguments: [
        "", "# only a comment\n", "\n\n",
        "a: 1\r\nb: 2\r\n", "a:\t1\n", "a: caf\u{e9}\n", "\u{feff}a: 1\n",
        "---\na: 1\n", "a: 1\n...\n", "%YAML 1.1\n---\na: 1\n",
        "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: |\n  text\n", "a: >\n  text\n",
        "? a\n: 1\n", "\"a\": 1\n", "'a': 1\n", "{a: 1}: 2\n",
        "a: b\n  c\n", // a plain scalar over two lines
        "a: \"b\n  c\"\n", "a: [1,\n  2]\n", "a: {b: 1,\n  c: 2}\n",
        "a: \"x\\ty\"\n", "a: 'it''s'\n",
        "- - a\n", "a: - b\n", "a: b: c\n", "a: 1\na: 2\n", "a: {b: 1, b: 2}\n",
        "a:\n  b\n", "a: 1\n b: 2\n", "- a\nb: 1\n", "a: 1\n- b\n",
        "a: {b: fd00::1}\n", "a: {b}\n", "a: [b: c]\n", "a: {b: }\n", "a: [1, ]\n", "a: [1, 2]x\n",
        "a: @b\n", "a: `b\n", "a: %b\n", "a: ,b\n",
        "a:\n  b: 1\n c: 2\n",
    ])
    func declines(_ yaml: String) {
        #expect(ConfigDocument.plainReading(yaml: yaml) == .declined, "\(yaml)")
    }

    /// A config like the IPVS benchmark's, the shape it exists for, is read
    /// without libyaml, and as libyaml reads it.
    @Test func readsTheBenchmarksShape() {
        var yaml = "node_name: bench\nstate_dir: /tmp/s\ncontrol: {socket: /tmp/s/vipd.sock}\nmetrics: {address: \"127.0.0.1:2112\"}\nservices:\n"
        for i in 0..<20 {
            yaml += "  - vip: 10.100.0.\(i + 1)\n    port: 80\n    protocol: tcp\n    scheduler: wlc\n    forwarding: direct\n    health: {type: none}\n    backends:\n"
            for j in 0..<10 { yaml += "      - {address: 10.200.\(i).\(j + 1), port: 80, weight: 1}\n" }
        }
        #expect(ConfigDocument.plainReading(yaml: yaml) == .same)
        #expect(throws: Never.self) { _ = try VipdConfig.parse(yaml: yaml) }
    }

    /// The examples of interfaces.md, and every line of them cut anywhere:
    /// whatever is accepted reads as libyaml reads it.
    @Test func theContractAndItsPrefixes() {
        let text = ExampleTests.contract
        #expect(ConfigDocument.plainReading(yaml: text) != .declined, "the contract's example is the everyday shape")
        let bytes = Array(text.utf8)
        var accepted = 0
        for end in stride(from: 0, through: bytes.count, by: 7) {
            let prefix = String(decoding: bytes[..<end], as: UTF8.self)
            let reading = ConfigDocument.plainReading(yaml: prefix)
            if case .differs(let why) = reading { Issue.record("cut at \(end): \(why)") }
            if reading == .same { accepted += 1 }
        }
        #expect(accepted > 10)
    }

    /// The fuzz corpus (Fuzz/corpus/FuzzConfig): none reads differently.
    @Test func theFuzzCorpus() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fuzz/corpus/FuzzConfig").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(!files.isEmpty)
        for f in files {
            let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
            if case .differs(let why) = ConfigDocument.plainReading(yaml: text) { Issue.record("\(f): \(why)") }
        }
    }

    /// A key that repeats is declined, and libyaml's reader words the error.
    @Test func aRepeatedKeyIsLibyamlsError() {
        let error = #expect(throws: ConfigErrors.self) { try ConfigDocument.parse(yaml: "a: 1\nb: 2\na: 3\n") }
        #expect(error?.errors.map(\.reason) == ["key 'a' appears more than once in one mapping"])
    }

    /// Random texts near the subset's edges (seeded, so a failure replays):
    /// lines of keys, items, flows, quotes and comments at random
    /// indentations, with characters that end or start scalars. None reads
    /// otherwise than with libyaml, and many are read at all.
    @Test func randomTextsNearTheEdges() {
        var rng = SplitMix64(seed: 0x5EED_7A51)
        let words = ["a", "b", "key", "~", "null", "-1", "x y", "a:b", "a#b", "fd00::1", "10.0.0.1", "a,b", "]", "", "'q'", "\"q\"", "'it''s'", "-", "?", ":"]
        func word() -> String { words.randomElement(using: &rng)! }
        func flow(_ depth: Int) -> String {
            let n = Int.random(in: 0...3, using: &rng)
            let mapping = Bool.random(using: &rng)
            var items: [String] = []
            for _ in 0..<n {
                let v = depth < 2 && Int.random(in: 0..<4, using: &rng) == 0 ? flow(depth + 1) : word()
                items.append(mapping ? "\(word()): \(v)" : v)
            }
            let sep = [", ", ",", " , "].randomElement(using: &rng)!
            return mapping ? "{" + items.joined(separator: sep) + "}" : "[" + items.joined(separator: sep) + "]"
        }
        func value() -> String {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: return ""
            case 1: return flow(0)
            case 2: return word() + " # c"
            default: return word()
            }
        }
        var same = 0
        for round in 0..<20000 {
            var text = ""
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let indent = String(repeating: " ", count: [0, 0, 1, 2, 2, 4, 6].randomElement(using: &rng)!)
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: text += indent + "# comment"
                case 1: text += ""
                case 2, 3: text += indent + "- " + value()
                case 4: text += indent + "- " + word() + ": " + value()
                case 5: text += indent + "-"
                default: text += indent + word() + ":" + (Bool.random(using: &rng) ? " " + value() : "")
                }
                text += ["\n", "\n", "\n", " \n", "  # x\n"].randomElement(using: &rng)!
            }
            switch ConfigDocument.plainReading(yaml: text) {
            case .same: same += 1
            case .declined: break
            case .differs(let why): Issue.record("round \(round): \(why)\n\(text)")
            }
        }
        #expect(same > 2000, "only \(same) of 20,000 read without libyaml")
    }
}
