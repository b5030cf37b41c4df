/// A config as a tree of keys and values before it is checked: YAML text
/// read by `parse(yaml:)`, kube-vip's variables (`KubeVip.document`), or
/// one laid over the other (`overlaid(by:)`). Every value keeps where it
/// came from, so that `decode()` can say the line of each error.
public struct ConfigDocument: Hashable, Sendable {
    /// Where `root` and everything under it are; nodes do not keep it.
    let store: ConfigStore
    let root: ConfigNode

    init(store: ConfigStore, root: ConfigNode) {
        precondition(root.store === store, "a document's root is in its store")
        self.store = store
        self.root = root
    }

    /// A document with no keys: every default.
    public static var empty: ConfigDocument {
        let b = ConfigBuilder()
        return b.document(b.map([], at: .unknown))
    }

    /// The whole tree as a value (for tests and comparisons).
    var tree: ConfigNode.Tree { withExtendedLifetime(store) { root.tree } }

    /// Lays `top` over this document. A key that `top` has replaces this
    /// document's value for it, except that two mappings merge key by key.
    /// Lists are replaced whole: `peers` or `vips` from the file replace
    /// those from the environment, entry for entry. A key in `top` whose
    /// value is empty (`listen:`) still replaces.
    public func overlaid(by top: ConfigDocument) -> ConfigDocument {
        // Nothing to lay under: the top as it is (a file under no
        // environment, the usual case, is not copied).
        if root.kind == .mapping, root.entries.isEmpty, top.root.kind == .mapping, top.root.location != .unknown {
            return top
        }
        let b = ConfigBuilder()
        return withExtendedLifetime((self, top)) { b.document(b.overlay(b.copy(root), b.copy(top.root))) }
    }

    /// Checks the document against the schema and builds the config, or
    /// returns every error found in one pass.
    public func decode() throws(ConfigErrors) -> VipdConfig {
        let diag = Diagnostics()
        let config = ConfigDecoder(diag: diag).decode(root)
        if !diag.errors.isEmpty { throw ConfigErrors(diag.errors) }
        return config
    }

    public static func == (a: ConfigDocument, b: ConfigDocument) -> Bool { a.tree == b.tree }
    public func hash(into h: inout Hasher) { h.combine(tree) }
}

/// Builds nodes by code (kube-vip's variables, overlays) in one store.
struct ConfigBuilder {
    let store = ConfigStore()

    func node(_ i: Int32) -> ConfigNode { ConfigNode(store: store, index: i) }

    /// A document of `root`, which keeps this builder's store.
    func document(_ root: ConfigNode) -> ConfigDocument { ConfigDocument(store: store, root: root) }

    func plain(_ text: String, at: ConfigLocation) -> ConfigNode { node(store.addScalar(.plain, text, at: at)) }
    func string(_ text: String, at: ConfigLocation) -> ConfigNode { node(store.addScalar(.quoted, text, at: at)) }

    func sequence(_ items: [ConfigNode], at: ConfigLocation) -> ConfigNode {
        node(store.addCollection(.sequence, children: items.map { own($0) }, at: at))
    }

    /// A mapping whose keys are at the mapping's location.
    func map(_ entries: [(String, ConfigNode)], at: ConfigLocation) -> ConfigNode {
        var children: [Int32] = []
        for (k, v) in entries {
            children.append(store.addScalar(.plain, k, at: at))
            children.append(own(v))
        }
        return node(store.addCollection(.mapping, children: children, at: at))
    }

    /// A node of this store as it is; one of another store copied in.
    func own(_ n: ConfigNode) -> Int32 { n.store === store ? n.index : store.copy(n) }
    func copy(_ n: ConfigNode) -> ConfigNode { node(own(n)) }

    /// `top` laid over `base` (see `ConfigDocument.overlaid(by:)`); both
    /// in this store.
    func overlay(_ base: ConfigNode, _ top: ConfigNode) -> ConfigNode {
        guard base.kind == .mapping, top.kind == .mapping else { return top }
        var merged: [(key: ConfigNode, value: ConfigNode)] = base.entries.map { ($0.key, $0.value) }
        for entry in top.entries {
            if let i = merged.firstIndex(where: { $0.key.text == entry.key.text }) {
                merged[i] = (entry.key, overlay(merged[i].value, entry.value))
            } else {
                merged.append((entry.key, entry.value))
            }
        }
        let at = top.location == .unknown ? base.location : top.location
        return node(store.addCollection(.mapping, children: merged.flatMap { [$0.key.index, $0.value.index] }, at: at))
    }
}

extension ConfigNode {
    /// The node and everything under it as one value, without the store:
    /// for comparing trees (tests, keys that are lists or mappings).
    indirect enum Tree: Hashable {
        case scalar(String, quoted: Bool, at: ConfigLocation)
        case sequence([Tree], at: ConfigLocation)
        case mapping([Entry], at: ConfigLocation)
        case null(at: ConfigLocation)

        struct Entry: Hashable {
            var key: String
            var keyAt: ConfigLocation
            var value: Tree
        }
    }

    var tree: Tree {
        switch kind {
        case .plain, .quoted: return .scalar(text, quoted: isQuoted, at: location)
        case .null: return .null(at: location)
        case .sequence: return .sequence(children.map(\.tree), at: location)
        case .mapping: return .mapping(entries.map { Tree.Entry(key: $0.keyText, keyAt: $0.keyAt, value: $0.value.tree) }, at: location)
        }
    }
}

extension ConfigNode.Tree {
    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The same tree with every location `.unknown`: a key that is a list
    /// or mapping compares by its values only.
    var shape: ConfigNode.Tree {
        switch self {
        case .scalar(let s, _, _): return .scalar(s, quoted: false, at: .unknown)
        case .null: return .null(at: .unknown)
        case .sequence(let items, _): return .sequence(items.map(\.shape), at: .unknown)
        case .mapping(let entries, _):
            return .mapping(entries.map { Entry(key: $0.key, keyAt: .unknown, value: $0.value.shape) }, at: .unknown)
        }
    }
}

extension ConfigNode {
    /// The first place where this node and everything under it differ from
    /// `other` (kind, bytes, line and column; `path` names it), or nil.
    /// Stricter than `tree`, which keeps no key's kind and no null's word.
    func difference(from other: ConfigNode, at path: String) -> String? {
        if kind != other.kind { return "\(path): \(kind) against \(other.kind)" }
        if location != other.location { return "\(path): at \(location) against \(other.location)" }
        if kind != .sequence, kind != .mapping, withBytes({ Array($0) }) != other.withBytes({ Array($0) }) {
            return "\(path): '\(text)' against '\(other.text)'"
        }
        let mine = children, theirs = other.children
        if mine.count != theirs.count { return "\(path): \(mine.count) children against \(theirs.count)" }
        for (i, (a, b)) in zip(mine, theirs).enumerated() {
            if let d = a.difference(from: b, at: "\(path)/\(i)") { return d }
        }
        return nil
    }
}
