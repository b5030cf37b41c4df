/// Where a value of the config came from.
public enum ConfigLocation: Hashable, Sendable, Comparable {
    /// A line and column of the YAML text, both from 1.
    case file(line: Int, column: Int)
    /// A kube-vip environment variable.
    case environment(String)
    /// A kube-vip command-line flag (`--etcdEndpoints`).
    case flag(String)
    /// Nowhere in particular (a value made by code).
    case unknown

    /// File positions first, in order; then the environment, flags, and the rest.
    public static func < (a: ConfigLocation, b: ConfigLocation) -> Bool {
        func rank(_ l: ConfigLocation) -> (Int, Int, Int, String) {
            switch l {
            case .file(let line, let column): return (0, line, column, "")
            case .environment(let n): return (1, 0, 0, n)
            case .flag(let n): return (2, 0, 0, n)
            case .unknown: return (3, 0, 0, "")
            }
        }
        return rank(a) < rank(b)
    }

    var prefix: String {
        switch self {
        case .file(let line, _): return "line \(line)"
        case .environment(let n): return "environment variable \(n)"
        case .flag(let n): return "flag \(n)"
        case .unknown: return "config"
        }
    }
}

/// One thing wrong with a config: where, which key, and why.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: ConfigLocation
    /// The key path, as `peers[0].hold_time`; empty for the document itself.
    public var path: String
    public var reason: String

    public init(_ location: ConfigLocation, path: String, reason: String) {
        self.location = location
        self.path = path
        self.reason = reason
    }

    /// The 1-based line, when the value came from the file.
    public var line: Int? {
        if case .file(let l, _) = location { return l }
        return nil
    }

    /// "line 7: peers[0].hold_time: 2 is not allowed: ..."
    public var description: String {
        path.isEmpty ? "\(location.prefix): \(reason)" : "\(location.prefix): \(path): \(reason)"
    }
}

/// Every error one pass over a config found, in file order.
public struct ConfigErrors: Error, Hashable, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]

    public init(_ errors: [ConfigError]) {
        // Stable: errors at one place keep the order they were found in.
        self.errors = errors.enumerated().sorted { a, b in
            a.element.location != b.element.location ? a.element.location < b.element.location : a.offset < b.offset
        }.map(\.element)
    }

    /// One error a line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
