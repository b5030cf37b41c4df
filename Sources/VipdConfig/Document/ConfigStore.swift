#if canImport(Glibc)
import Glibc
#endif

/// The storage of a config tree: every node, every collection's children
/// and every scalar's bytes in three flat arrays of plain values. A
/// 17,000-line config is some 75,000 nodes; held as a tree of enums, each
/// mapping was an array of its own and each scalar a String, and building,
/// copying and freeing them was most of the load's own time (the rest is
/// libyaml). Here a node is five integers, a collection's children are a
/// run of `links`, and freeing the tree is freeing three arrays.
///
/// A store only grows: a node's index never changes, nor the node once its
/// collection is closed, so a `ConfigNode` (the store and an index) stays
/// valid while the store lives. An
/// alias is the anchored node's index again. Sendable because a finished
/// store is never changed: documents share theirs across threads.
final class ConfigStore: @unchecked Sendable {
    struct Node {
        var kind: Kind
        /// A file position (`line` >= 1), or `origins[column]` when `line` is 0.
        var line: Int32
        var column: Int32
        /// A scalar's bytes in `text`, or a collection's children in `links`
        /// (a mapping's as key, value, key, value ...).
        var start: Int32
        /// Bytes of a scalar; items of a sequence; entries of a mapping.
        var count: Int32
    }

    enum Kind: UInt8 {
        case plain, quoted
        /// A plain `~`, `null`, `Null`, `NULL` or nothing: no value. As a
        /// key it is the word (its bytes are kept).
        case null
        case sequence, mapping
    }

    // Plain buffers rather than arrays, since reading an array held by a
    // class retains and releases its storage on every access; and no
    // runtime exclusivity checks, since a store is built by one reader or
    // builder and only read once it is done. The readers of a large config
    // touch these hundreds of thousands of times, and both cost more than
    // the reading itself.
    @exclusivity(unchecked) private(set) var nodes = FlatBuffer<Node>()
    @exclusivity(unchecked) private(set) var links = FlatBuffer<Int32>()
    @exclusivity(unchecked) private(set) var text = FlatBuffer<UInt8>()
    /// Locations that are not file positions (kube-vip's variables and flags).
    private(set) var origins: [ConfigLocation] = []

    init() {}

    /// A store with nothing in it, for views of nothing.
    static let empty = ConfigStore()

    init(reservingNodes n: Int, textBytes: Int) {
        nodes.reserve(n)
        links.reserve(n)
        text.reserve(textBytes)
    }

    deinit {
        nodes.free()
        links.free()
        text.free()
    }

    // MARK: building

    private func position(_ at: ConfigLocation) -> (Int32, Int32) {
        if case .file(let line, let column) = at, line >= 1, line <= Int(Int32.max), column >= 0, column <= Int(Int32.max) {
            return (Int32(line), Int32(column))
        }
        origins.append(at)
        return (0, Int32(origins.count - 1))
    }

    /// A scalar (or null) whose bytes are copied in.
    func addScalar(_ kind: Kind, bytes: UnsafeBufferPointer<UInt8>, line: Int32, column: Int32) -> Int32 {
        let start = Int32(text.count)
        text.append(contentsOf: bytes)
        nodes.append(Node(kind: kind, line: line, column: column, start: start, count: Int32(bytes.count)))
        return Int32(nodes.count - 1)
    }

    func addScalar(_ kind: Kind, _ s: String, at: ConfigLocation) -> Int32 {
        let (line, column) = position(at)
        var s = s
        return s.withUTF8 { addScalar(kind, bytes: $0, line: line, column: column) }
    }

    /// A collection to be closed later with its children.
    func open(_ kind: Kind, line: Int32, column: Int32) -> Int32 {
        nodes.append(Node(kind: kind, line: line, column: column, start: 0, count: 0))
        return Int32(nodes.count - 1)
    }

    /// Gives collection `node` its children: a sequence's items, or a
    /// mapping's keys and values in turn.
    func close(_ node: Int32, children: UnsafeBufferPointer<Int32>) {
        nodes[Int(node)].start = Int32(links.count)
        nodes[Int(node)].count = Int32(nodes[Int(node)].kind == .mapping ? children.count / 2 : children.count)
        links.append(contentsOf: children)
    }

    func addCollection(_ kind: Kind, children: [Int32], at: ConfigLocation) -> Int32 {
        let (line, column) = position(at)
        let n = open(kind, line: line, column: column)
        children.withUnsafeBufferPointer { close(n, children: $0) }
        return n
    }

    /// Copies `node` of another store (with everything under it) into this
    /// one; its index here.
    func copy(_ node: ConfigNode) -> Int32 {
        switch node.kind {
        case .plain, .quoted, .null:
            let (line, column) = position(node.location)
            return addScalar(node.kind, bytes: node.store.text.slice(node.range), line: line, column: column)
        case .sequence, .mapping:
            var children: [Int32] = []
            for child in node.children { children.append(copy(child)) }
            return addCollection(node.kind, children: children, at: node.location)
        }
    }

    // MARK: reading

    func location(_ n: Node) -> ConfigLocation {
        n.line == 0 ? origins[Int(n.column)] : .file(line: Int(n.line), column: Int(n.column))
    }
}

/// One value of a config tree, as the readers see it. It is a view: the
/// store and an index, copied without copying anything under it, and
/// without counting references: the store is kept by its `ConfigDocument`
/// (or `ConfigBuilder`), which outlives every node read from it (decoding
/// is a method of the document). With a counted reference, each node made
/// in reading cost a retain and a release, about a third of the decoding.
struct ConfigNode: Sendable {
    let ref: StoreRef
    let index: Int32

    init(store: ConfigStore, index: Int32) {
        self.ref = StoreRef(store)
        self.index = index
    }

    init(ref: StoreRef, index: Int32) {
        self.ref = ref
        self.index = index
    }

    var store: ConfigStore { ref.object }
    var node: ConfigStore.Node { ref.node(index) }
    var kind: ConfigStore.Kind { node.kind }
    var location: ConfigLocation { ref.location(node) }

    var isNull: Bool { kind == .null }
    var isScalar: Bool { kind == .plain || kind == .quoted }
    /// Quoted and block scalars are always strings; plain ones may be
    /// numbers or booleans.
    var isQuoted: Bool { kind == .quoted }

    /// The bytes of a scalar (or of the word of a null) in `store.text`.
    var range: Range<Int> {
        let n = node
        return Int(n.start)..<Int(n.start + n.count)
    }

    /// A scalar's text; nil for anything else.
    var scalarText: String? { isScalar ? text : nil }

    /// The text of a scalar or null word (for keys and messages).
    var text: String { String(decoding: ref.bytes(range), as: UTF8.self) }

    /// Calls `body` with a scalar's bytes (no String is made).
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(ref.bytes(range))
    }

    /// A sequence's items or a mapping's keys and values, in order.
    var children: ConfigChildren {
        let n = node
        switch n.kind {
        case .sequence: return ConfigChildren(ref: ref, start: Int(n.start), count: Int(n.count))
        case .mapping: return ConfigChildren(ref: ref, start: Int(n.start), count: Int(n.count) * 2)
        case .plain, .quoted, .null: return ConfigChildren(ref: ref, start: 0, count: 0)
        }
    }

    /// A mapping's entries; empty for anything else.
    var entries: ConfigEntries { ConfigEntries(pairs: kind == .mapping ? children : ConfigChildren(ref: ref, start: 0, count: 0)) }

    /// A sequence's item count; nil for anything else.
    var itemCount: Int? { kind == .sequence ? Int(node.count) : nil }

    /// How an error names what it found.
    var kindDescription: String {
        switch kind {
        case .plain: return "'\(text)'"
        case .quoted: return "the string \"\(text)\""
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .null: return "nothing"
        }
    }
}

/// A run of child nodes in a store's `links`.
struct ConfigChildren: RandomAccessCollection {
    let ref: StoreRef
    let start: Int
    let count: Int

    var startIndex: Int { 0 }
    var endIndex: Int { count }
    subscript(i: Int) -> ConfigNode { ConfigNode(ref: ref, index: ref.link(start + i)) }
}

/// One `key: value` of a mapping; the key is a scalar (or null word).
struct ConfigEntry {
    let key: ConfigNode
    let value: ConfigNode

    var keyText: String { key.text }
    var keyAt: ConfigLocation { key.location }
}

/// A mapping's entries, in order: its children taken two by two.
struct ConfigEntries: RandomAccessCollection {
    /// Keys and values in turn.
    let pairs: ConfigChildren

    var startIndex: Int { 0 }
    var endIndex: Int { pairs.count / 2 }
    subscript(i: Int) -> ConfigEntry { ConfigEntry(key: pairs[2 * i], value: pairs[2 * i + 1]) }

    private var ref: StoreRef { pairs.ref }
    private var start: Int { pairs.start }
}

extension ConfigEntries {
    /// The first entry whose key is `key`, compared in place as bytes: no
    /// String is made for the keys.
    func index(of key: String) -> Int? {
        guard count > 0 else { return nil }
        var key = key
        return key.withUTF8 { k in
            ref.withStore { s in
                for i in 0..<count where s.keyBytes(s.links[start + 2 * i]).elementsEqualBytes(k) { return i }
                return nil
            }
        }
    }

    /// Whether entry `i`'s key is one of `words` (compared by length first).
    func key(_ i: Int, isOneOf words: [String]) -> Bool {
        ref.withStore { s in
            let k = s.keyBytes(s.links[start + 2 * i])
            for w in words where w.utf8.count == k.count {
                var w = w
                if w.withUTF8({ k.elementsEqualBytes($0) }) { return true }
            }
            return false
        }
    }
}

/// A store, not reference-counted: see `ConfigNode`. Reading goes through
/// `withStore`, which neither retains nor releases.
struct StoreRef: @unchecked Sendable {
    let raw: Unmanaged<ConfigStore>

    init(_ store: ConfigStore) { raw = .passUnretained(store) }

    var object: ConfigStore { raw.takeUnretainedValue() }

    @inline(__always) func withStore<R>(_ body: (ConfigStore) -> R) -> R { raw._withUnsafeGuaranteedRef(body) }
    @inline(__always) func node(_ i: Int32) -> ConfigStore.Node { withStore { $0.nodes[Int(i)] } }
    @inline(__always) func link(_ i: Int) -> Int32 { withStore { $0.links[i] } }
    @inline(__always) func bytes(_ r: Range<Int>) -> UnsafeBufferPointer<UInt8> { withStore { $0.text.slice(r) } }
    func location(_ n: ConfigStore.Node) -> ConfigLocation { withStore { $0.location(n) } }
}

extension ConfigStore {
    /// The bytes of node `i` (a scalar or null word).
    func keyBytes(_ i: Int32) -> UnsafeBufferPointer<UInt8> {
        let k = nodes[Int(i)]
        return text.slice(Int(k.start)..<Int(k.start + k.count))
    }
}

/// A growing buffer of plain values, freed by its owner (`ConfigStore`).
struct FlatBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>?
    private(set) var count = 0
    private var capacity = 0

    subscript(i: Int) -> Element {
        @inline(__always) get { base.unsafelyUnwrapped[i] }
        @inline(__always) set { base.unsafelyUnwrapped[i] = newValue }
    }

    @inline(__always) func slice(_ r: Range<Int>) -> UnsafeBufferPointer<Element> {
        UnsafeBufferPointer(start: base.map { $0 + r.lowerBound }, count: r.count)
    }

    mutating func reserve(_ n: Int) {
        guard n > capacity else { return }
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: n)
        if let base {
            larger.initialize(from: base, count: count)
            base.deallocate()
        }
        base = larger
        capacity = n
    }

    @inline(__always) mutating func append(_ e: Element) {
        if count == capacity { reserve(Swift.max(64, capacity * 2)) }
        (base.unsafelyUnwrapped + count).initialize(to: e)
        count += 1
    }

    @inline(__always) mutating func append(contentsOf b: UnsafeBufferPointer<Element>) {
        guard !b.isEmpty else { return }
        if count + b.count > capacity { reserve(Swift.max(64, capacity * 2, count + b.count)) }
        (base.unsafelyUnwrapped + count).initialize(from: b.baseAddress!, count: b.count)
        count += b.count
    }

    func free() { base?.deallocate() }
}

extension UnsafeBufferPointer<UInt8> {
    /// Byte equality by length, then memcmp.
    func elementsEqualBytes(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
        count == other.count && (count == 0 || memcmp(baseAddress!, other.baseAddress!, count) == 0)
    }
}
