import CYaml

extension ConfigDocument {
    /// Reads YAML text into a document, keeping each value's line and
    /// column. Only the YAML itself is checked here (syntax, one document,
    /// a mapping at the top, keys that are scalars, no key twice); the
    /// schema is checked by `decode()`. Empty text is an empty mapping.
    ///
    /// Aliases are expanded; merge keys (`<<`) are not, and are refused
    /// later as an unknown key. Explicit tags (`!!str`) are ignored: a quoted
    /// scalar is a string, a plain one is read by the key's type.
    public static func parse(yaml: String) throws(ConfigErrors) -> ConfigDocument {
        try parse(yaml: yaml, maximumBytes: maximumBytes)
    }

    /// `parse(yaml:)` with the size limit as a parameter, for tests.
    static func parse(yaml: String, maximumBytes: Int) throws(ConfigErrors) -> ConfigDocument {
        var text = yaml
        // The store counts nodes and bytes in 32 bits.
        guard text.utf8.count <= maximumBytes else {
            throw ConfigErrors([ConfigError(.unknown, path: "", reason: "the config is \(text.utf8.count) bytes; at most \(maximumBytes) are read")])
        }
        let reserve = (nodes: text.utf8.count / 8, bytes: text.utf8.count / 2)
        // The everyday shape without libyaml; anything else with it.
        let plain = ConfigStore(reservingNodes: reserve.nodes, textBytes: reserve.bytes)
        if let root = text.withUTF8({ PlainYAMLReader.read($0, into: plain) }) {
            return try document(store: plain, root: root, keyErrors: [])
        }
        let store = ConfigStore(reservingNodes: reserve.nodes, textBytes: reserve.bytes)
        let read = text.withUTF8 { bytes in
            var reader = YAMLReader(text: yaml, bytes: bytes, store: store)
            return reader.read()
        }
        switch read {
        case .failure(let error): throw ConfigErrors([error])
        case .success(nil): return .emptyMapping(at: .file(line: 1, column: 1))
        case .success(let built?): return try document(store: store, root: built.node, keyErrors: built.errors)
        }
    }

    /// The document of a tree read from YAML, or why it is not a config.
    private static func document(store: ConfigStore, root: Int32, keyErrors: [YAMLReader.KeyError]) throws(ConfigErrors) -> ConfigDocument {
        let node = ConfigNode(store: store, index: root)
        var errors = keyErrors.map { ConfigError($0.at, path: $0.path, reason: "a key must be a plain word, not a list or mapping") }
        switch node.kind {
        case .mapping: break
        case .null: return .emptyMapping(at: node.location)
        default:
            errors.append(ConfigError(node.location, path: "",
                                      reason: "the config must be a mapping of keys (key: value), found \(node.kindDescription)"))
        }
        if !errors.isEmpty { throw ConfigErrors(errors) }
        return ConfigDocument(store: store, root: node)
    }

    /// How `PlainYAMLReader` reads `yaml` against libyaml, for tests and
    /// fuzzing: whether it declines it, or reads the same tree (every
    /// node's kind, bytes, line and column), or what differs.
    package enum PlainReading: Equatable {
        case declined
        case same
        case differs(String)
    }

    package static func plainReading(yaml: String) -> PlainReading {
        var text = yaml
        let plain = ConfigStore()
        guard let root = text.withUTF8({ PlainYAMLReader.read($0, into: plain) }) else { return .declined }
        let store = ConfigStore()
        let read = text.withUTF8 { bytes in
            var reader = YAMLReader(text: yaml, bytes: bytes, store: store)
            return reader.read()
        }
        switch read {
        case .failure(let error): return .differs("libyaml refuses it: \(error)")
        case .success(nil): return .differs("libyaml reads no document")
        case .success(let built?):
            if !built.errors.isEmpty { return .differs("libyaml finds keys that are not scalars") }
            // Nodes hold their stores unretained: both live to the end.
            let difference = withExtendedLifetime((plain, store)) {
                ConfigNode(store: plain, index: root).difference(from: ConfigNode(store: store, index: built.node), at: "")
            }
            return difference.map { .differs($0) } ?? .same
        }
    }

    /// 1 GiB: far above any real config, and below what the store's 32-bit
    /// counts hold.
    static let maximumBytes = 1 << 30

    private static func emptyMapping(at: ConfigLocation) -> ConfigDocument {
        let b = ConfigBuilder()
        return b.document(b.map([], at: at))
    }
}

/// Builds the config tree straight from libyaml's events (the C library
/// Yams bundles as CYaml) into a `ConfigStore`. It keeps what Yams'
/// `compose` did before it, with the same messages: one document, aliases
/// expanded (an anchor counts from the end of its node, a later one of the
/// same name replaces it), a key twice in one mapping refused when the
/// mapping ends, and marks as line + 1, column + 1 of libyaml's.
struct YAMLReader: ~Copyable {
    /// A finished node, with what its parent needs besides. Plain values:
    /// the rare tag and key errors are kept aside (`extras`), so that the
    /// node of every event is passed on without reference counting.
    struct Built {
        var node: Int32
        /// Whether the node is a scalar (or null word), which can be a key.
        var scalar: Bool
        /// Its entry in `extras`, or -1 for none.
        var extra: Int32 = -1
    }

    /// A node's explicit tag, if that makes it other than a string (Yams
    /// then told `!!int 1` from `1`), and the keys in it that are not
    /// scalars (their paths are from it).
    struct Extra {
        var tag: String?
        var errors: [KeyError] = []
    }

    /// A key that is a list or a mapping. The path is built only for those.
    struct KeyError {
        var at: ConfigLocation
        /// Innermost first.
        var reversed: [PathStep] = []
        var path: String { reversed.reversed().reduce(ConfigPath.root) { $0.appending($1) }.description }
    }

    private let text: String
    private let store: ConfigStore
    private let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    private let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
    private var anchors: [String: Built] = [:]
    private var extras: [Extra] = []
    /// The open collections, outermost first.
    private var frames: [Frame] = []
    /// The children of the open collections, each from its frame's
    /// `start`: a sequence's items, a mapping's keys and values in turn.
    private var scratch: [Int32] = []

    init(text: String, bytes: UnsafeBufferPointer<UInt8>, store: ConfigStore) {
        self.text = text
        self.store = store
        yaml_parser_initialize(parser)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        // libyaml asserts a non-null input, which an empty buffer may lack.
        let empty: StaticString = ""
        yaml_parser_set_input_string(parser, bytes.baseAddress ?? empty.utf8Start, bytes.count)
        event.initialize(to: yaml_event_t())
        scratch.reserveCapacity(256)
    }

    deinit {
        yaml_event_delete(event)
        yaml_parser_delete(parser)
        parser.deallocate()
        event.deallocate()
    }

    /// The one document's root and the keys in it that are not scalars;
    /// nil when there is none.
    mutating func read() -> Result<(node: Int32, errors: [KeyError])?, ConfigError> {
        do throws(ConfigError) {
            try next() // STREAM-START
            guard try next() != YAML_STREAM_END_EVENT else { return .success(nil) }
            let root = try node() // from DOCUMENT-START's successor
            try next() // DOCUMENT-END
            if try next() != YAML_STREAM_END_EVENT {
                return .failure(ConfigError(mark(event.pointee.start_mark), path: "",
                                            reason: "not valid YAML: but found another document (expected a single document in the stream at line 1)"))
            }
            return .success((root.node, root.extra < 0 ? [] : extras[Int(root.extra)].errors))
        } catch {
            return .failure(error)
        }
    }

    /// Parses the next event into `event`, freeing the one before.
    @discardableResult
    private func next() throws(ConfigError) -> yaml_event_type_t {
        yaml_event_delete(event)
        guard yaml_parser_parse(parser, event) == 1 else { throw parserError() }
        return event.pointee.type
    }

    /// Reads one node's events, without recursion: a collection opens a
    /// frame, and each finished node goes to the innermost open one.
    private mutating func node() throws(ConfigError) -> Built {
        while true {
            let built: Built
            switch try next() {
            case YAML_SCALAR_EVENT:
                built = scalar()
                guard frames.isEmpty else {
                    add(built)
                    continue
                }
            case YAML_ALIAS_EVENT:
                let name = String(cString: event.pointee.data.alias.anchor)
                guard let target = anchors[name] else {
                    throw ConfigError(mark(event.pointee.start_mark), path: "", reason: "not valid YAML: found undefined alias")
                }
                built = target
            case YAML_SEQUENCE_START_EVENT:
                open(.sequence, anchor: event.pointee.data.sequence_start.anchor)
                continue
            case YAML_MAPPING_START_EVENT:
                open(.mapping, anchor: event.pointee.data.mapping_start.anchor)
                continue
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                built = try close()
            default:
                preconditionFailure("libyaml gave event \(event.pointee.type.rawValue) where a node was due")
            }
            if frames.isEmpty { return built }
            add(built)
        }
    }

    private mutating func open(_ kind: ConfigStore.Kind, anchor: UnsafeMutablePointer<UInt8>?) {
        let m = event.pointee.start_mark
        let node = store.open(kind, line: Int32(truncatingIfNeeded: m.line + 1), column: Int32(truncatingIfNeeded: m.column + 1))
        frames.append(Frame(mapping: kind == .mapping, node: node, anchor: anchor.map { String(cString: $0) }, start: scratch.count))
    }

    /// The innermost collection, finished.
    private mutating func close() throws(ConfigError) -> Built {
        let frame = frames.removeLast()
        try scratch.withUnsafeBufferPointer { all throws(ConfigError) in
            let children = UnsafeBufferPointer(rebasing: all[frame.start...])
            if frame.mapping, let duplicate = frame.duplicateKeys(children, in: store) { throw duplicate }
            store.close(frame.node, children: children)
        }
        scratch.removeSubrange(frame.start...)
        let built = Built(node: frame.node, scalar: false, extra: frame.errors.isEmpty ? -1 : extra(Extra(errors: frame.errors)))
        if let anchor = frame.anchor { anchors[anchor] = built }
        return built
    }

    /// Gives a finished node to the innermost open collection: an item, a
    /// key, or the value of the key before it.
    private mutating func add(_ built: Built) {
        let top = frames.count - 1
        let errors = built.extra < 0 ? [] : extras[Int(built.extra)].errors
        guard frames[top].mapping else {
            if !errors.isEmpty { frames[top].adopt(errors, .index(scratch.count - frames[top].start)) }
            scratch.append(built.node)
            return
        }
        switch frames[top].next {
        case .value:
            if !errors.isEmpty {
                frames[top].adopt(errors, .key(ConfigNode(store: store, index: scratch[scratch.count - 1]).text))
            }
            scratch.append(built.node)
            frames[top].next = .key
        case .droppedValue:
            frames[top].next = .key
        case .key:
            let tag = built.extra < 0 ? nil : extras[Int(built.extra)].tag
            if frames[top].keepsKeys(scalar: built.scalar, tag: tag) {
                let start = frames[top].start
                frames[top].keys = scratch.withUnsafeBufferPointer { Frame.plainKeys(UnsafeBufferPointer(rebasing: $0[start...]), store) }
            }
            if frames[top].key(built.node, scalar: built.scalar, tag: tag, in: store) { scratch.append(built.node) }
        }
    }

    private mutating func scalar() -> Built {
        let s = event.pointee.data.scalar
        var bytes = UnsafeBufferPointer(start: UnsafePointer(s.value), count: s.length)
        // Yams made the String with Foundation, which drops a leading BOM
        // (a quoted "\uFEFF..."); so does this.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { bytes = UnsafeBufferPointer(rebasing: bytes.dropFirst(3)) }
        let plain = s.style == YAML_PLAIN_SCALAR_STYLE || s.style == YAML_ANY_SCALAR_STYLE
        let kind: ConfigStore.Kind = !plain ? .quoted : Self.isNull(bytes) ? .null : .plain
        let m = event.pointee.start_mark
        let node = store.addScalar(kind, bytes: bytes, line: Int32(truncatingIfNeeded: m.line + 1), column: Int32(truncatingIfNeeded: m.column + 1))
        var tag: String?
        if s.quoted_implicit == 0, let t = s.tag {
            tag = String(cString: t)
            if Self.stringTags.contains(tag!) { tag = nil }
        }
        let built = Built(node: node, scalar: true, extra: tag == nil ? -1 : extra(Extra(tag: tag)))
        if let anchor = s.anchor { anchors[String(cString: anchor)] = built }
        return built
    }

    private mutating func extra(_ e: Extra) -> Int32 {
        extras.append(e)
        return Int32(extras.count - 1)
    }

    /// Whether a plain scalar is YAML's null: "", "~", "null", "Null" or "NULL".
    static func isNull(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        switch b.count {
        case 0: return true
        case 1: return b[0] == UInt8(ascii: "~")
        case 4:
            let word = (b[0], b[1], b[2], b[3])
            return word == (0x6E, 0x75, 0x6C, 0x6C) || word == (0x4E, 0x75, 0x6C, 0x6C) || word == (0x4E, 0x55, 0x4C, 0x4C)
        default: return false
        }
    }

    /// Tags that leave a scalar a string, as Yams resolved them ("!" is the
    /// non-specific tag; "" is what `!<>` gives, Yams' "implicit").
    private static let stringTags: Set<String> = ["", "!", "tag:yaml.org,2002:str"]

    private func mark(_ m: yaml_mark_t) -> ConfigLocation { .file(line: m.line + 1, column: m.column + 1) }

    /// libyaml's error as Yams reported it and the old reader worded it.
    private func parserError() -> ConfigError {
        let p = parser.pointee
        switch p.error {
        case YAML_READER_ERROR:
            // Yams turned the byte offset into a count of Characters, which
            // the line is then counted over as UTF-8 bytes; kept as it was.
            let index = text.utf8.index(text.utf8.startIndex, offsetBy: p.problem_offset, limitedBy: text.utf8.endIndex)?
                .samePosition(in: text)
            var line = 1
            if let offset = index.map({ text.distance(from: text.startIndex, to: $0) }) {
                line += text.utf8.prefix(offset).reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            }
            return ConfigError(.file(line: line, column: 1), path: "", reason: "not valid YAML: \(String(cString: p.problem))")
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR:
            let problem = String(cString: p.problem)
            let why = p.context.map { "\(problem) (\(String(cString: $0)) at line \(p.context_mark.line + 1))" } ?? problem
            return ConfigError(mark(p.problem_mark), path: "", reason: "not valid YAML: \(why)")
        default:
            return ConfigError(.unknown, path: "", reason: "not valid YAML: Memory error")
        }
    }
}
