import Yams

extension ConfigDocument {
    /// Reads YAML text into a document, keeping each value's line and
    /// column. Only the YAML itself is checked here (syntax, one document,
    /// a mapping at the top, keys that are scalars, no key twice); the
    /// schema is checked by `decode()`. Empty text is an empty mapping.
    ///
    /// Aliases are expanded by Yams; merge keys (`<<`) are not, and are
    /// refused later as an unknown key. Explicit tags (`!!str`) are ignored:
    /// a quoted scalar is a string, a plain one is read by the key's type.
    public static func parse(yaml: String) throws(ConfigErrors) -> ConfigDocument {
        let node: Node?
        do {
            // UTF-8 named here: Yams' default looks at the process
            // environment (YAMS_DEFAULT_ENCODING) and prints when it is set.
            // The basic resolver: every scalar is read by its key's type,
            // so Yams' tag resolution (a regular expression per scalar, most
            // of the parse time of a 17,000-line services list) is not needed.
            node = try Yams.compose(yaml: yaml, .basic, .default, .utf8)
        } catch {
            throw ConfigErrors([yamlError(error, text: yaml)])
        }
        guard let node else { return ConfigDocument(root: .mapping([], at: .file(line: 1, column: 1))) }
        var errors: [ConfigError] = []
        let root = convert(node, path: "", errors: &errors)
        switch root {
        case .mapping: break
        case .null: return ConfigDocument(root: .mapping([], at: root.location))
        default:
            errors.append(ConfigError(root.location, path: "", reason: "the config must be a mapping of keys (key: value), found \(root.kindDescription)"))
        }
        if !errors.isEmpty { throw ConfigErrors(errors) }
        return ConfigDocument(root: root)
    }

    private static func location(_ mark: Mark?) -> ConfigLocation {
        guard let mark else { return .unknown }
        return .file(line: mark.line, column: mark.column)
    }

    private static func convert(_ node: Node, path: String, errors: inout [ConfigError]) -> ConfigNode {
        let at = location(node.mark)
        switch node {
        case .scalar(let s):
            if s.style == .plain || s.style == .any, ["", "~", "null", "Null", "NULL"].contains(s.string) {
                return .null(at: at)
            }
            return .scalar(s.string, quoted: !(s.style == .plain || s.style == .any), at: at)
        case .sequence(let seq):
            return .sequence(seq.enumerated().map { convert($0.element, path: "\(path)[\($0.offset)]", errors: &errors) }, at: at)
        case .mapping(let map):
            var entries: [ConfigEntry] = []
            for (k, v) in map {
                let keyAt = location(k.mark)
                guard case .scalar(let ks) = k else {
                    errors.append(ConfigError(keyAt, path: path, reason: "a key must be a plain word, not a list or mapping"))
                    continue
                }
                let childPath = path.isEmpty ? ks.string : "\(path).\(ks.string)"
                entries.append(ConfigEntry(key: ks.string, keyAt: keyAt, value: convert(v, path: childPath, errors: &errors)))
            }
            return .mapping(entries, at: at)
        case .alias(let alias):
            errors.append(ConfigError(at, path: path, reason: "the alias *\(alias.anchor.rawValue) could not be expanded"))
            return .null(at: at)
        }
    }

    /// Yams' errors carry a mark for everything but reader (encoding) errors.
    private static func yamlError(_ error: any Error, text: String) -> ConfigError {
        guard let y = error as? YamlError else {
            return ConfigError(.unknown, path: "", reason: "not valid YAML: \(error)")
        }
        switch y {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let why = context.map { "\(problem) (\($0.text) at line \($0.mark.line))" } ?? problem
            return ConfigError(location(mark), path: "", reason: "not valid YAML: \(why)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return ConfigError(location(context.mark), path: "",
                               reason: "key \(keys) appears more than once in one mapping")
        case .reader(let problem, let offset, _, _):
            var line = 1
            if let offset {
                line += text.utf8.prefix(offset).reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            }
            return ConfigError(.file(line: line, column: 1), path: "", reason: "not valid YAML: \(problem)")
        default:
            return ConfigError(.unknown, path: "", reason: "not valid YAML: \(y)")
        }
    }
}
