extension YAMLReader {
    /// A sequence or mapping whose events are being read. Its items or
    /// entries are in the reader's scratch arrays from `start`; a mapping
    /// also knows whether a key or a value comes next.
    struct Frame {
        let mapping: Bool
        let at: ConfigLocation
        let anchor: String?
        let start: Int
        var next: Next = .key
        /// Every key so far, kept only once one is not a plain string (a
        /// tagged scalar, a list or a mapping); until then the keys are those
        /// of the entries.
        var keys: [Key]?
        var errors: [KeyError] = []

        init(mapping: Bool, at: ConfigLocation, anchor: String?, start: Int) {
            self.mapping = mapping
            self.at = at
            self.anchor = anchor
            self.start = start
        }

        enum Next {
            case key
            case value(key: String, at: ConfigLocation)
            /// The value of a key that is not a scalar: read, then left out.
            case droppedValue
        }

        struct Key {
            enum Identity: Equatable {
                case scalar(String, tag: String?)
                /// A list or mapping, without its locations.
                case node(ConfigNode)
            }
            var identity: Identity
            var at: ConfigLocation
        }

        /// Takes `node` as the next key; `entries` are this mapping's so far.
        mutating func key(_ node: ConfigNode, _ scalar: ScalarKey?, after entries: UnsafeBufferPointer<ConfigEntry>) {
            let at = node.location
            if let scalar {
                next = .value(key: scalar.text, at: at)
                if scalar.tag != nil || keys != nil { note(Key(identity: .scalar(scalar.text, tag: scalar.tag), at: at), entries) }
            } else {
                // The key is refused whole: its own errors and its value's
                // are not reported.
                errors.append(KeyError(at: at))
                next = .droppedValue
                note(Key(identity: .node(Self.shape(node)), at: at), entries)
            }
        }

        /// Errors from a child, under its step from here.
        mutating func adopt(_ childErrors: [KeyError], _ step: PathStep) {
            for var e in childErrors {
                e.reversed.append(step)
                errors.append(e)
            }
        }

        private mutating func note(_ key: Key, _ entries: UnsafeBufferPointer<ConfigEntry>) {
            if keys == nil { keys = entries.map { Key(identity: .scalar($0.key, tag: nil), at: $0.keyAt) } }
            keys!.append(key)
        }

        /// A node as a key compares: values only. This is close to Yams'
        /// comparison but not the same (it told `~` from `null` and minded
        /// tags); both ways such a key is an error.
        private static func shape(_ node: ConfigNode) -> ConfigNode {
            switch node {
            case .scalar(let s, _, _): return .scalar(s, quoted: false, at: .unknown)
            case .null: return .null(at: .unknown)
            case .sequence(let items, _): return .sequence(items.map(shape), at: .unknown)
            case .mapping(let entries, _):
                return .mapping(entries.map { ConfigEntry(key: $0.key, keyAt: .unknown, value: shape($0.value)) }, at: .unknown)
            }
        }

        /// Keys that appear more than once, as Yams refused them: each
        /// named once, in order, at the first key's first place.
        func duplicateKeys(_ entries: UnsafeBufferPointer<ConfigEntry>) -> ConfigError? {
            if keys == nil, !Self.repeats(entries) { return nil }
            let all = keys ?? entries.map { Key(identity: .scalar($0.key, tag: nil), at: $0.keyAt) }
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

        /// Whether a key repeats; quadratic for the usual few keys.
        private static func repeats(_ entries: UnsafeBufferPointer<ConfigEntry>) -> Bool {
            guard entries.count > 1 else { return false }
            if entries.count <= 16 {
                for i in entries.indices.dropFirst() {
                    for j in entries.startIndex..<i where entries[i].key == entries[j].key { return true }
                }
                return false
            }
            var seen = Set<String>(minimumCapacity: entries.count)
            for e in entries where !seen.insert(e.key).inserted { return true }
            return false
        }
    }
}
