/// Where in the config a value is, as errors print it: `peers[0].hold_time`.
/// Making one builds no text; `description` does, and only errors need it
/// (reading a large config makes tens of thousands of paths and prints none).
///
/// The last step is held inline and the rest in a shared box, so that the
/// paths of a list's items share one box for the list (see `ConfigItems`),
/// and a key under the document needs none.
struct ConfigPath: Sendable, CustomStringConvertible {
    fileprivate final class Parent: Sendable {
        let path: ConfigPath
        init(_ path: ConfigPath) { self.path = path }
    }

    private let parent: Parent?
    /// nil only for the document itself.
    private let last: PathStep?

    /// The document itself, printed as "".
    static let root = ConfigPath(parent: nil, last: nil)

    private init(parent: Parent?, last: PathStep?) {
        self.parent = parent
        self.last = last
    }

    /// What this path's children hang from: a box of it, made once for any
    /// number of them (none for the root).
    var prefix: Prefix { Prefix(parent: last == nil ? nil : Parent(self)) }

    struct Prefix: Sendable {
        fileprivate let parent: Parent?
        func child(_ key: String) -> ConfigPath { ConfigPath(parent: parent, last: .key(key)) }
        func child(_ index: Int) -> ConfigPath { ConfigPath(parent: parent, last: .index(index)) }
    }

    func child(_ key: String) -> ConfigPath { prefix.child(key) }
    func child(_ index: Int) -> ConfigPath { prefix.child(index) }

    func appending(_ step: PathStep) -> ConfigPath { ConfigPath(parent: prefix.parent, last: step) }

    /// A key below the document is `parent.key`, or `key` alone when the
    /// parent prints as "" (the root, or a key that is the empty string);
    /// an item is `parent[index]`.
    var description: String {
        let p = parent?.path.description ?? ""
        switch last {
        case nil: return ""
        case .key(let key): return p.isEmpty ? key : "\(p).\(key)"
        case .index(let i): return "\(p)[\(i)]"
        }
    }
}

/// One step of a `ConfigPath`.
enum PathStep: Sendable {
    case key(String)
    case index(Int)
}

/// The items of a list with their paths, made as they are read.
struct ConfigItems: RandomAccessCollection {
    let nodes: ConfigChildren
    private let paths: ConfigPath.Prefix

    init(_ nodes: ConfigChildren, path: ConfigPath) {
        self.nodes = nodes
        self.paths = path.prefix
    }

    /// No items, for a list that is not there.
    static let empty = ConfigItems(ConfigChildren(ref: StoreRef(ConfigStore.empty), start: 0, count: 0), path: .root)

    var startIndex: Int { nodes.startIndex }
    var endIndex: Int { nodes.endIndex }
    subscript(i: Int) -> (node: ConfigNode, path: ConfigPath) { (nodes[i], paths.child(i)) }
}
