/// A config as a tree of keys and values before it is checked: YAML text
/// read by `parse(yaml:)`, kube-vip's variables (`KubeVip.document`), or
/// one laid over the other (`overlaid(by:)`). Every value keeps where it
/// came from, so that `decode()` can say the line of each error.
public struct ConfigDocument: Hashable, Sendable {
    var root: ConfigNode

    init(root: ConfigNode) { self.root = root }

    /// A document with no keys: every default.
    public static let empty = ConfigDocument(root: .mapping([], at: .unknown))

    /// Lays `top` over this document. A key that `top` has replaces this
    /// document's value for it, except that two mappings merge key by key.
    /// Lists are replaced whole: `peers` or `vips` from the file replace
    /// those from the environment, entry for entry. A key in `top` whose
    /// value is empty (`listen:`) still replaces.
    public func overlaid(by top: ConfigDocument) -> ConfigDocument {
        ConfigDocument(root: ConfigNode.overlay(root, top.root))
    }

    /// Checks the document against the schema and builds the config, or
    /// returns every error found in one pass.
    public func decode() throws(ConfigErrors) -> VipdConfig {
        let diag = Diagnostics()
        let config = ConfigDecoder(diag: diag).decode(root)
        if !diag.errors.isEmpty { throw ConfigErrors(diag.errors) }
        return config
    }
}

/// One value of the tree. Not `indirect`: lists and mappings hold their
/// values in arrays already, and a box per value was a heap allocation for
/// every scalar.
enum ConfigNode: Hashable, Sendable {
    /// A scalar's text. `quoted` for YAML's quoted and block scalars, which
    /// are always strings; plain ones may also be numbers or booleans.
    case scalar(String, quoted: Bool, at: ConfigLocation)
    case sequence([ConfigNode], at: ConfigLocation)
    case mapping([ConfigEntry], at: ConfigLocation)
    /// `key:` with nothing, `~` or `null`: the same as leaving the key out.
    case null(at: ConfigLocation)

    var location: ConfigLocation {
        switch self {
        case .scalar(_, _, let l), .sequence(_, let l), .mapping(_, let l), .null(let l): return l
        }
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// How an error names what it found.
    var kindDescription: String {
        switch self {
        case .scalar(let s, let quoted, _): return quoted ? "the string \"\(s)\"" : "'\(s)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .null: return "nothing"
        }
    }

    static func overlay(_ base: ConfigNode, _ top: ConfigNode) -> ConfigNode {
        guard case .mapping(let baseEntries, _) = base, case .mapping(let topEntries, let at) = top else { return top }
        var merged = baseEntries
        for entry in topEntries {
            if let i = merged.firstIndex(where: { $0.key == entry.key }) {
                merged[i] = ConfigEntry(key: entry.key, keyAt: entry.keyAt, value: overlay(merged[i].value, entry.value))
            } else {
                merged.append(entry)
            }
        }
        return .mapping(merged, at: at == .unknown ? base.location : at)
    }
}

/// One `key: value` of a mapping.
struct ConfigEntry: Hashable, Sendable {
    var key: String
    var keyAt: ConfigLocation
    var value: ConfigNode
}

extension ConfigNode {
    /// A mapping of plain values, for documents built by code.
    static func map(_ entries: [(String, ConfigNode)], at: ConfigLocation) -> ConfigNode {
        .mapping(entries.map { ConfigEntry(key: $0.0, keyAt: at, value: $0.1) }, at: at)
    }

    static func plain(_ text: String, at: ConfigLocation) -> ConfigNode { .scalar(text, quoted: false, at: at) }
    static func string(_ text: String, at: ConfigLocation) -> ConfigNode { .scalar(text, quoted: true, at: at) }
}
