import Testing
@testable import VipdConfig

/// What the YAML reader makes of YAML: the tree, each value with its line
/// and column, and the errors, with their text, line and column.
@Suite struct YAMLReaderTests {
    typealias Tree = ConfigNode.Tree
    typealias Entry = ConfigNode.Tree.Entry

    func root(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> Tree? {
        do {
            return try ConfigDocument.parse(yaml: yaml).tree
        } catch {
            Issue.record("unexpected errors:\n\(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// Every error as "line:column path: reason".
    func failure(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        do {
            let d = try ConfigDocument.parse(yaml: yaml)
            Issue.record("expected errors, read \(d.tree)", sourceLocation: sourceLocation)
            return []
        } catch {
            return error.errors.map { e in
                guard case .file(let line, let column) = e.location else { return "\(e.location) \(e.path): \(e.reason)" }
                return "\(line):\(column) \(e.path): \(e.reason)"
            }
        }
    }

    func value(_ node: Tree?, _ key: String) -> Tree? {
        guard case .mapping(let entries, _)? = node else { return nil }
        return entries.first { $0.key == key }?.value
    }

    static func at(_ line: Int, _ column: Int) -> ConfigLocation { .file(line: line, column: column) }

    @Test func nodesKeepTheirLinesAndColumns() {
        let r = root("a: 1\nb:\n  - x\n  - {c: 'y'}\n")
        let at = Self.at
        #expect(r == .mapping([
            Entry(key: "a", keyAt: at(1, 1), value: .scalar("1", quoted: false, at: at(1, 4))),
            Entry(key: "b", keyAt: at(2, 1), value: .sequence([
                .scalar("x", quoted: false, at: at(3, 5)),
                .mapping([Entry(key: "c", keyAt: at(4, 6), value: .scalar("y", quoted: true, at: at(4, 9)))], at: at(4, 5)),
            ], at: at(3, 3))),
        ], at: at(1, 1)))
    }

    @Test func plainNullWordsAreNullAndQuotedOnesAreStrings() {
        let r = root("a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: nULL\ng: \"null\"\nh: '~'\ni: ''\n")
        for key in ["a", "b", "c", "d", "e"] { #expect(value(r, key)?.isNull == true, "\(key)") }
        #expect(value(r, "f") == .scalar("nULL", quoted: false, at: Self.at(6, 4)))
        #expect(value(r, "g") == .scalar("null", quoted: true, at: Self.at(7, 4)))
        #expect(value(r, "h") == .scalar("~", quoted: true, at: Self.at(8, 4)))
        #expect(value(r, "i") == .scalar("", quoted: true, at: Self.at(9, 4)))
        // As a key, the word itself.
        guard case .mapping(let entries, _)? = root("~: 1\nnull: 2\n") else { return }
        #expect(entries.map(\.key) == ["~", "null"])
    }

    @Test func flowMappingsAndBlockScalars() {
        let r = root("m: {a: 1, b: [x, \"y\"]}\nlit: |\n  one\n  two\nfold: >\n  one\n  two\n")
        #expect(value(r, "m") == .mapping([
            Entry(key: "a", keyAt: Self.at(1, 5), value: .scalar("1", quoted: false, at: Self.at(1, 8))),
            Entry(key: "b", keyAt: Self.at(1, 11), value: .sequence([
                .scalar("x", quoted: false, at: Self.at(1, 15)), .scalar("y", quoted: true, at: Self.at(1, 18)),
            ], at: Self.at(1, 14))),
        ], at: Self.at(1, 4)))
        #expect(value(r, "lit") == .scalar("one\ntwo\n", quoted: true, at: Self.at(2, 6)))
        #expect(value(r, "fold") == .scalar("one two\n", quoted: true, at: Self.at(5, 7)))
    }

    @Test func aliasesExpandToTheAnchoredNode() {
        let r = root("a: &m {p: 1}\nb: *m\nc: &s [x]\nd: [*s, *s]\ne: &k key\n*k : 2\n")
        #expect(value(r, "b") == value(r, "a"))
        #expect(value(r, "d") == .sequence([value(r, "c")!, value(r, "c")!], at: Self.at(4, 4)))
        // An alias as a key is the anchored scalar's text.
        #expect(value(r, "key") == .scalar("2", quoted: false, at: Self.at(6, 6)))
        // A later anchor of the same name replaces the earlier; an anchor
        // counts only once its node ends, so inside it the earlier one holds.
        let s = root("a: &x 1\nb: &x [*x]\nc: *x\n")
        #expect(value(s, "b") == .sequence([.scalar("1", quoted: false, at: Self.at(1, 4))], at: Self.at(2, 4)))
        #expect(value(s, "c") == value(s, "b"))
    }

    @Test func anUnknownAliasIsAnError() {
        #expect(failure("a: *nope\n") == ["1:4 : not valid YAML: found undefined alias"])
        #expect(failure("a: &x [*x]\n") == ["1:8 : not valid YAML: found undefined alias"])
    }

    @Test func aKeyTwiceInOneMapping() {
        #expect(failure("asn: 1\nrouter_id: 10.0.0.1\nasn: 2\n") == ["1:1 : key 'asn' appears more than once in one mapping"])
        // Several keys: named in order, at the first one's first place.
        #expect(failure("b: 1\na: 1\nb: 2\na: 2\n") == ["2:1 : key 'a', 'b' appears more than once in one mapping"])
        #expect(failure("x:\n  a: 1\n  a: 2\n") == ["2:3 : key 'a' appears more than once in one mapping"])
        #expect(failure("x: {a: 1, 'a': 2}\n") == ["1:5 : key 'a' appears more than once in one mapping"])
        #expect(failure("a: &k key\nkey: 1\n*k : 2\n") == ["2:1 : key 'key' appears more than once in one mapping"])
        // Only when the mapping ends: a syntax error before that wins.
        #expect(failure("a: 1\na: 2\nb: [\n") == ["4:1 : not valid YAML: did not find expected node content (while parsing a flow node at line 4)"])
        // The same key in two mappings is no repeat; neither is a key whose
        // explicit tag makes it other than a string.
        #expect(root("x: {a: 1}\ny: {a: 2}\n") != nil)
        #expect(root("!!int 1: a\n1: b\n") != nil)
    }

    @Test func syntaxErrorsSayTheProblemsLineAndColumn() {
        #expect(failure("a: [1\n") == ["2:1 : not valid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1)"])
        #expect(failure("a: b: c\n") == ["1:5 : not valid YAML: mapping values are not allowed in this context"])
        #expect(failure("asn: 65011\npeers:\n  - address: 10.0.0.1\n   asn: [1, 2\n")
            == ["4:4 : not valid YAML: did not find expected '-' indicator (while parsing a block collection at line 3)"])
        #expect(failure("a: 'x\n") == ["2:1 : not valid YAML: found unexpected end of stream (while scanning a quoted scalar at line 1)"])
    }

    @Test func aTabOrBadIndentation() {
        #expect(failure("asn: 1\nlisten:\n\tport: 179\n")
            == ["3:1 : not valid YAML: found character that cannot start any token (while scanning for the next token at line 3)"])
        #expect(failure("a:\n  - b\n  c: d\n") == ["3:3 : not valid YAML: did not find expected '-' indicator (while parsing a block collection at line 2)"])
    }

    @Test func charactersYAMLRefuses() {
        // A control character: a reader error, at its line.
        #expect(failure("a: b\nc: \u{01}\n") == ["2:1 : not valid YAML: control characters are not allowed"])
        // Bytes that are not UTF-8 cannot reach the reader (it takes a
        // String); decoded, they are U+FFFD, which YAML allows.
        let text = String(decoding: [0x61, 0x3A, 0x20, 0xFF, 0xFE, 0x0A] as [UInt8], as: UTF8.self)
        #expect(value(root(text), "a") == .scalar("\u{FFFD}\u{FFFD}", quoted: false, at: Self.at(1, 4)))
    }

    @Test func keysThatAreListsOrMappings() {
        #expect(failure("x:\n  [1]: 2\n  y: {[3]: 4}\n") == [
            "2:3 x: a key must be a plain word, not a list or mapping",
            "3:7 x.y: a key must be a plain word, not a list or mapping",
        ])
        // Found again through each alias of the node that has it.
        #expect(failure("a: &m {[1]: 2}\nb: [*m]\n") == [
            "1:8 a: a key must be a plain word, not a list or mapping",
            "1:8 b[0]: a key must be a plain word, not a list or mapping",
        ])
    }

    @Test func documents() {
        for empty in ["", "\n", "# only a comment\n", "---\n", "~\n", "--- \n...\n"] {
            guard case .mapping(let entries, _)? = root(empty) else {
                Issue.record("\(empty.debugDescription) is not a mapping")
                continue
            }
            #expect(entries.isEmpty)
        }
        #expect(root("--- !!map\na: 1\n") != nil)
        #expect(failure("a: 1\n---\nb: 2\n")
            == ["2:1 : not valid YAML: but found another document (expected a single document in the stream at line 1)"])
        #expect(failure("- 1\n") == ["1:1 : the config must be a mapping of keys (key: value), found a list"])
        #expect(failure("just words\n") == ["1:1 : the config must be a mapping of keys (key: value), found 'just words'"])
    }

    @Test func aLeadingByteOrderMarkOfAScalarIsDropped() {
        // As Yams did (it made scalars with Foundation's String(bytes:encoding:)).
        #expect(value(root("a: \"\\uFEFFx\"\n"), "a") == .scalar("x", quoted: true, at: Self.at(1, 4)))
    }

    /// Past the limit (1 GiB; 16 bytes here) a config is refused whole,
    /// not read into the store's 32-bit counts.
    @Test func aConfigOverTheLimitIsRefusedNotACrash() throws {
        #expect(ConfigDocument.maximumBytes == 1 << 30)
        #expect(throws: ConfigErrors([ConfigError(.unknown, path: "", reason: "the config is 17 bytes; at most 16 are read")])) {
            try ConfigDocument.parse(yaml: "a: 1\nb: 2\nc: 345\n", maximumBytes: 16)
        }
        _ = try ConfigDocument.parse(yaml: "a: 1\nb: 2\nc: 34\n", maximumBytes: 16)
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 2000) + String(repeating: "]", count: 2000) + "\n"
        let e = failure(deep)
        #expect(e.count == 1 && e[0].hasPrefix("1:1 : not valid YAML: Maximum nesting level reached"))
    }
}
