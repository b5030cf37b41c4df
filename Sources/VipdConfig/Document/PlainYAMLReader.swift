/// Reads the everyday shape of a config file straight into a store, in one
/// pass over its bytes, without libyaml. libyaml stays the reader of
/// record: this one declines anything outside a small, line-by-line subset
/// of YAML, and `parse(yaml:)` then reads the file with libyaml
/// (`YAMLReader`), so a config reads the same either way. FuzzChecks
/// compares the two trees, node for node with their lines and columns, on
/// every input this reader accepts.
///
/// Why: libyaml's scanner was half the load of a large config (a token
/// queue, a malloc per scalar and per event; docs/decisions.md), and under
/// emulation a fifth of vipd's start with 1,000 services.
///
/// The subset, read a line at a time:
/// - block mappings of plain keys (`key: value`, `key:` with the value
///   below or nothing), block sequences (`- item`), compact mappings in
///   sequences (`- key: value`), and sequences at their key's indentation;
/// - values on the key's line: a plain scalar, a quoted scalar with no
///   escapes (`"..."` without `\`, `'...'` without `''`), or a flow
///   mapping or sequence closed on the same line, whose items are the
///   same (a plain scalar in a flow has no `:`);
/// - comments, blank lines, spaces; printable ASCII only.
/// Declined: tabs, CR, other bytes, document markers and directives,
/// anchors, aliases, tags, block scalars (`|`, `>`), complex keys, quoted
/// keys, multi-line scalars and flows, nested compact sequences, keys that
/// repeat, and any syntax error (libyaml words those).
struct PlainYAMLReader {
    /// Thrown to decline the text; `read` then returns nil.
    struct Declined: Error {}

    /// An open block collection.
    private struct Block {
        var mapping: Bool
        /// The column (from 0) of its keys or of its `-`s.
        var indent: Int
        var node: Int32
        /// Its children in `scratch` from here.
        var start: Int
        /// A sequence at its mapping key's indentation (`key:` then `- a`).
        var indentless: Bool
    }

    private let b: UnsafeBufferPointer<UInt8>
    private let store: ConfigStore
    /// The start of the current line, and its number from 1.
    private var lineStart = 0
    private var line: Int32 = 1
    private var blocks: [Block] = []
    private var scratch: [Int32] = []
    /// Where the empty value of the last `key:` or `-` is, until the next
    /// line says whether a block below is that value.
    private var pending: (line: Int32, column: Int32)?
    private var root: Int32?

    /// The root of `bytes` read into `store`, or nil where they are outside
    /// the subset; `store` then holds nodes of no use.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, into store: ConfigStore) -> Int32? {
        // Printable ASCII and newlines only: columns are then bytes, and
        // libyaml's own checks on characters and encodings do not apply.
        for c in bytes where (c < 0x20 && c != Self.newline) || c > 0x7E { return nil }
        var reader = PlainYAMLReader(b: bytes, store: store)
        reader.scratch.reserveCapacity(64)
        do {
            return try reader.document()
        } catch {
            return nil
        }
    }

    private init(b: UnsafeBufferPointer<UInt8>, store: ConfigStore) {
        self.b = b
        self.store = store
    }

    private static let newline = UInt8(ascii: "\n")
    private static let space = UInt8(ascii: " ")
    private static let colon = UInt8(ascii: ":")
    private static let hash = UInt8(ascii: "#")
    private static let dash = UInt8(ascii: "-")

    private mutating func document() throws(Declined) -> Int32 {
        var pos = 0
        while let p = nextContent(from: pos) {
            pos = try contentLine(p)
        }
        resolvePending()
        while !blocks.isEmpty { try closeBlock() }
        guard let root else { throw Declined() } // nothing but comments: libyaml's
        return root
    }

    /// The first byte of the next line with content from `pos` (a line's
    /// start), skipping blank and comment lines; sets `lineStart` and
    /// `line`. Nil at the end.
    private mutating func nextContent(from pos: Int) -> Int? {
        var i = pos
        while true {
            lineStart = i
            while i < b.count, b[i] == Self.space { i += 1 }
            if i == b.count { return nil }
            if b[i] == Self.hash {
                while i < b.count, b[i] != Self.newline { i += 1 }
                if i == b.count { return nil }
            }
            if b[i] == Self.newline {
                i += 1
                line += 1
                continue
            }
            return i
        }
    }

    // MARK: lines

    /// Reads the line whose content starts at `p`; returns the next line's start.
    private mutating func contentLine(_ p: Int) throws(Declined) -> Int {
        let indent = p - lineStart
        let entry = isEntry(p)
        // `---` and `...`, which start and end documents (a directive's
        // `%` is an indicator, declined below).
        if indent == 0, b[p] == Self.dash || b[p] == UInt8(ascii: "."), p + 2 < b.count, b[p + 1] == b[p], b[p + 2] == b[p] {
            throw Declined()
        }
        var opened = false
        if pending != nil, let top = blocks.last {
            if indent > top.indent || (indent == top.indent && top.mapping && entry) {
                // The block starting here is the pending value.
                pending = nil
                blocks.append(open(mapping: !entry, at: p, indentless: indent == top.indent))
                opened = true
            } else {
                resolvePending()
            }
        } else if let top = blocks.last, indent > top.indent {
            // Deeper than its block after a whole value: a scalar's next
            // line, or an error.
            throw Declined()
        }
        if !opened {
            while let top = blocks.last, top.indent > indent || (top.indentless && top.indent == indent && !entry) {
                try closeBlock()
            }
            if blocks.isEmpty {
                guard root == nil else { throw Declined() }
                blocks.append(open(mapping: !entry, at: p, indentless: false))
            }
            guard blocks[blocks.count - 1].indent == indent else { throw Declined() }
        }
        if blocks[blocks.count - 1].mapping {
            guard !entry else { throw Declined() }
            return try keyLine(p)
        }
        guard entry else { throw Declined() }
        return try entryLine(p)
    }

    /// `- ...`: an item of the sequence on top.
    private mutating func entryLine(_ p: Int) throws(Declined) -> Int {
        let q = skipSpaces(p + 1)
        if isLineEnd(q) {
            pending = (line, column(p + 1))
            return try endOfLine(q)
        }
        if isEntry(q) { throw Declined() }
        if keyColon(q) != nil {
            blocks.append(open(mapping: true, at: q, indentless: false))
            return try keyLine(q)
        }
        let end = try value(q)
        return try endOfLine(end)
    }

    /// `key: value` or `key:`, in the mapping on top.
    private mutating func keyLine(_ p: Int) throws(Declined) -> Int {
        guard let colon = keyColon(p) else { throw Declined() }
        scratch.append(scalar(from: p, to: trimmed(p, colon)))
        let q = skipSpaces(colon + 1)
        if isLineEnd(q) {
            pending = (line, column(colon + 1))
            return try endOfLine(q)
        }
        let end = try value(q)
        return try endOfLine(end)
    }

    /// A key's `:` when the text at `p` is a plain key: a plain scalar on
    /// this line up to a `:` followed by a space or the line's end, with
    /// no comment before it.
    private func keyColon(_ p: Int) -> Int? {
        guard !Self.isIndicator(b[p]) else { return nil }
        var i = p
        while i < b.count, b[i] != Self.newline {
            if b[i] == Self.colon, i + 1 == b.count || b[i + 1] == Self.space || b[i + 1] == Self.newline {
                // libyaml takes at most 1,024 characters as a key.
                return i - p <= 1000 ? i : nil
            }
            if b[i] == Self.hash, b[i - 1] == Self.space { return nil }
            i += 1
        }
        return nil
    }

    // MARK: values

    /// A value at `p`, added to the collection on top: on a key's or `-`'s
    /// line (`flowDepth` nil), or in a flow; the index after it.
    private mutating func value(_ p: Int, flowDepth: Int? = nil) throws(Declined) -> Int {
        guard p < b.count else { throw Declined() }
        switch b[p] {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            let (node, end) = try quoted(p)
            scratch.append(node)
            return end
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            return try flow(p, depth: flowDepth.map { $0 + 1 } ?? 0)
        default:
            let (end, after) = try flowDepth == nil ? blockPlain(p) : flowPlain(p, key: false)
            scratch.append(scalar(from: p, to: end))
            return after
        }
    }

    /// A plain scalar on a key's or `-`'s line: to the line's end or a
    /// comment (its end, and where it stopped). Declined: a `: ` in it.
    private func blockPlain(_ p: Int) throws(Declined) -> (Int, Int) {
        guard !Self.isIndicator(b[p]) || (b[p] == Self.dash && !isEntry(p)) else { throw Declined() }
        var i = p
        var end = p
        while i < b.count, b[i] != Self.newline {
            let c = b[i]
            if c == Self.colon, i + 1 == b.count || b[i + 1] == Self.space || b[i + 1] == Self.newline { throw Declined() }
            if c == Self.hash, b[i - 1] == Self.space { break }
            if c != Self.space { end = i + 1 }
            i += 1
        }
        return (end, i)
    }

    /// A quoted scalar without escapes, closed on this line.
    private func quoted(_ p: Int) throws(Declined) -> (Int32, Int) {
        let quote = b[p]
        var i = p + 1
        while i < b.count, b[i] != quote {
            if b[i] == Self.newline || b[i] == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") { throw Declined() }
            i += 1
        }
        guard i < b.count else { throw Declined() }
        if quote == UInt8(ascii: "'"), i + 1 < b.count, b[i + 1] == quote { throw Declined() } // '' is a quote
        let node = store.addScalar(.quoted, bytes: UnsafeBufferPointer(rebasing: b[(p + 1)..<i]), line: line, column: column(p))
        return (node, i + 1)
    }

    /// A flow mapping or sequence at `p`, closed on this line, added to the
    /// block (or flow) on top; the index after it.
    private mutating func flow(_ p: Int, depth: Int) throws(Declined) -> Int {
        guard depth < 32 else { throw Declined() }
        let mapping = b[p] == UInt8(ascii: "{")
        let closer = mapping ? UInt8(ascii: "}") : UInt8(ascii: "]")
        let node = store.open(mapping ? .mapping : .sequence, line: line, column: column(p))
        let start = scratch.count
        var i = skipSpaces(p + 1)
        if i < b.count, b[i] == closer {
            i += 1
        } else {
            while true {
                if mapping {
                    let (keyEnd, after) = try flowPlain(i, key: true)
                    scratch.append(scalar(from: i, to: keyEnd))
                    i = skipSpaces(after)
                }
                i = try value(i, flowDepth: depth)
                i = skipSpaces(i)
                guard i < b.count else { throw Declined() }
                if b[i] == closer {
                    i += 1
                    break
                }
                guard b[i] == UInt8(ascii: ",") else { throw Declined() }
                i = skipSpaces(i + 1)
                guard i < b.count, b[i] != closer else { throw Declined() } // a trailing comma
            }
        }
        scratch.append(try finish(node, mapping: mapping, childrenFrom: start))
        return i
    }

    /// A plain scalar in a flow: a key runs to `: ` (returned: its end and
    /// the index after the `:`), a value to `,`, `]` or `}` (its end, and
    /// where it stopped). Declined: a `:` in a value, a key without one,
    /// brackets inside, a comment, or the line's end.
    private func flowPlain(_ p: Int, key: Bool) throws(Declined) -> (Int, Int) {
        guard p < b.count, !Self.isIndicator(b[p]) || (b[p] == Self.dash && p + 1 < b.count && !Self.endsFlowPlain(b[p + 1])) else {
            throw Declined()
        }
        var i = p
        var end = p
        while i < b.count {
            let c = b[i]
            switch c {
            case Self.colon:
                guard key, i + 1 < b.count, b[i + 1] == Self.space else { throw Declined() }
                return (end, i + 1)
            case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"):
                guard !key else { throw Declined() }
                return (end, i)
            case UInt8(ascii: "["), UInt8(ascii: "{"), Self.newline, UInt8(ascii: "?"):
                throw Declined()
            case Self.hash where b[i - 1] == Self.space:
                throw Declined()
            case Self.space:
                break
            default:
                end = i + 1
            }
            i += 1
        }
        throw Declined()
    }

    private static func endsFlowPlain(_ c: UInt8) -> Bool {
        c == space || c == newline || c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}")
    }

    /// A plain scalar's node: null for YAML's null words, as libyaml's reader does.
    private func scalar(from p: Int, to end: Int) -> Int32 {
        let bytes = UnsafeBufferPointer(rebasing: b[p..<end])
        return store.addScalar(YAMLReader.isNull(bytes) ? .null : .plain, bytes: bytes, line: line, column: column(p))
    }

    // MARK: blocks

    private mutating func open(mapping: Bool, at p: Int, indentless: Bool) -> Block {
        let node = store.open(mapping ? .mapping : .sequence, line: line, column: column(p))
        return Block(mapping: mapping, indent: p - lineStart, node: node, start: scratch.count, indentless: indentless)
    }

    /// The block on top, finished and given to the one below (or made the root).
    private mutating func closeBlock() throws(Declined) {
        let block = blocks.removeLast()
        let node = try finish(block.node, mapping: block.mapping, childrenFrom: block.start)
        if blocks.isEmpty {
            root = node
        } else {
            scratch.append(node)
        }
    }

    /// Closes a collection with its children, `scratch` from `start`, and
    /// takes them off. A key twice is declined: libyaml's reader words it.
    private mutating func finish(_ node: Int32, mapping: Bool, childrenFrom start: Int) throws(Declined) -> Int32 {
        try scratch.withUnsafeBufferPointer { all throws(Declined) in
            let children = UnsafeBufferPointer(rebasing: all[start...])
            if mapping, YAMLReader.Frame.repeats(children, store) { throw Declined() }
            store.close(node, children: children)
        }
        scratch.removeSubrange(start...)
        return node
    }

    /// The pending empty value, as a null where no block below is it.
    private mutating func resolvePending() {
        guard let at = pending else { return }
        pending = nil
        scratch.append(store.addScalar(.null, bytes: UnsafeBufferPointer(start: nil, count: 0), line: at.line, column: at.column))
    }

    // MARK: bytes

    /// Whether `p` is a block sequence's `-` (followed by a space or the line's end).
    private func isEntry(_ p: Int) -> Bool {
        b[p] == Self.dash && (p + 1 == b.count || b[p + 1] == Self.space || b[p + 1] == Self.newline)
    }

    private func skipSpaces(_ p: Int) -> Int {
        var i = p
        while i < b.count, b[i] == Self.space { i += 1 }
        return i
    }

    /// Whether nothing but a comment is left on the line at `q` (after spaces).
    private func isLineEnd(_ q: Int) -> Bool {
        q == b.count || b[q] == Self.newline || (b[q] == Self.hash && b[q - 1] == Self.space)
    }

    /// The start of the next line, after spaces and a comment from `q`.
    private mutating func endOfLine(_ q: Int) throws(Declined) -> Int {
        var i = skipSpaces(q)
        if i < b.count, b[i] == Self.hash, b[i - 1] == Self.space {
            while i < b.count, b[i] != Self.newline { i += 1 }
        }
        if i == b.count { return i }
        guard b[i] == Self.newline else { throw Declined() }
        line += 1
        return i + 1
    }

    /// `end`, less the spaces before it (down to `p`).
    private func trimmed(_ p: Int, _ end: Int) -> Int {
        var e = end
        while e > p, b[e - 1] == Self.space { e -= 1 }
        return e
    }

    private func column(_ p: Int) -> Int32 { Int32(truncatingIfNeeded: p - lineStart + 1) }

    /// YAML's indicators, which a plain scalar does not start with.
    private static func isIndicator(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"),
             UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"),
             UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"),
             UInt8(ascii: "`"):
            return true
        default:
            return false
        }
    }
}
