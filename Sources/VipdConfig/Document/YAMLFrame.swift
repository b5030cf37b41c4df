extension YAMLReader {
    /// A sequence or mapping whose events are being read. Its children are
    /// in the reader's scratch array from `start`; a mapping also knows
    /// whether a key or a value comes next.
    struct Frame {
        let mapping: Bool
        /// The collection's node in the store, closed with its children.
        let node: Int32
        let anchor: String?
        let start: Int
        var next: Next = .key
        /// Every key so far, kept only once one is not a plain string (a
        /// tagged scalar, a list or a mapping); until then the keys are
        /// those in the scratch array.
        var keys: [Key]?
        var errors: [KeyError] = []

        init(mapping: Bool, node: Int32, anchor: String?, start: Int) {
            self.mapping = mapping
            self.node = node
            self.anchor = anchor
            self.start = start
        }

        enum Next {
            case key
            case value
            /// The value of a key that is not a scalar: read, then left out.
            case droppedValue
        }

        struct Key {
            enum Identity: Equatable {
                case scalar(String, tag: String?)
                /// A list or mapping, without its locations.
                case node(ConfigNode.Tree)
            }
            var identity: Identity
            var at: ConfigLocation
        }

        /// Takes `built` as the next key. Returns whether the key goes into
        /// the scratch array: a list or mapping does not. Before the first
        /// key that is not a plain string, the reader fills `keys` with
        /// those before it (`plainKeys`).
        mutating func key(_ index: Int32, scalar: Bool, tag: String?, in store: ConfigStore) -> Bool {
            let node = ConfigNode(store: store, index: index)
            if scalar {
                next = .value
                if keys != nil { keys!.append(Key(identity: .scalar(node.text, tag: tag), at: node.location)) }
                return true
            }
            // The key is refused whole: its own errors and its value's
            // are not reported.
            errors.append(KeyError(at: node.location))
            next = .droppedValue
            keys!.append(Key(identity: .node(node.tree.shape), at: node.location))
            return false
        }

        /// Whether the keys must be kept from `built` on.
        func keepsKeys(scalar: Bool, tag: String?) -> Bool { keys == nil && (!scalar || tag != nil) }

        /// Errors from a child, under its step from here.
        mutating func adopt(_ childErrors: [KeyError], _ step: PathStep) {
            for var e in childErrors {
                e.reversed.append(step)
                errors.append(e)
            }
        }

        /// Keys that appear more than once, as Yams refused them: each
        /// named once, in order, at the first key's first place.
        /// `children` are the mapping's keys and values in turn.
        func duplicateKeys(_ children: UnsafeBufferPointer<Int32>, in store: ConfigStore) -> ConfigError? {
            if keys == nil, !Self.repeats(children, store) { return nil }
            let all = keys ?? Self.plainKeys(children, store)
            var repeated: [(key: Key, order: Int)] = []
            for (i, k) in all.enumerated()
            where !all[..<i].contains(where: { $0.identity == k.identity }) && all[(i + 1)...].contains(where: { $0.identity == k.identity }) {
                repeated.append((k, i))
            }
            guard !repeated.isEmpty else { return nil }
            // Yams sorted them by text; a list or mapping has none, and goes last.
            repeated.sort { a, b in
                switch (a.key.identity, b.key.identity) {
                case (.scalar(let x, _), .scalar(let y, _)): return x != y ? x < y : a.order < b.order
                case (.scalar, .node): return true
                case (.node, .scalar): return false
                case (.node, .node): return a.order < b.order
                }
            }
            let names = repeated.map { r -> String in
                if case .scalar(let text, _) = r.key.identity { return "'\(text)'" }
                return "'<uncovertable>'"
            }
            return ConfigError(repeated[0].key.at, path: "", reason: "key \(names.joined(separator: ", ")) appears more than once in one mapping")
        }

        /// The keys among `children` (every other one, from the first).
        static func plainKeys(_ children: UnsafeBufferPointer<Int32>, _ store: ConfigStore) -> [Key] {
            stride(from: 0, to: children.count, by: 2).map { i in
                let k = ConfigNode(store: store, index: children[i])
                return Key(identity: .scalar(k.text, tag: nil), at: k.location)
            }
        }

        /// Whether a key repeats, by its bytes; quadratic for the usual few keys.
        static func repeats(_ children: UnsafeBufferPointer<Int32>, _ store: ConfigStore) -> Bool {
            let n = children.count / 2
            guard n > 1 else { return false }
            if n <= 16 {
                for i in 1..<n {
                    let a = store.keyBytes(children[2 * i])
                    for j in 0..<i where store.keyBytes(children[2 * j]).elementsEqualBytes(a) { return true }
                }
                return false
            }
            var seen = Set<String>(minimumCapacity: n)
            for i in 0..<n where !seen.insert(ConfigNode(store: store, index: children[2 * i]).text).inserted { return true }
            return false
        }
    }
}
