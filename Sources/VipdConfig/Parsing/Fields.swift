/// Collects the errors of one decode pass. Every reader records its error
/// and gives back nil or a default, so that decoding goes on and finds the
/// rest.
final class Diagnostics {
    var errors: [ConfigError] = []

    func add(_ at: ConfigLocation, _ path: String, _ reason: String) {
        errors.append(ConfigError(at, path: path, reason: reason))
    }
}

func child(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
func child(_ path: String, _ index: Int) -> String { "\(path)[\(index)]" }

/// A mapping being read. Opening it reports every key that is not allowed,
/// with the closest allowed key as a hint.
struct Fields {
    let path: String
    let location: ConfigLocation
    let diag: Diagnostics
    private let entries: [ConfigEntry]

    /// nil, with an error, when `node` is not a mapping.
    init?(_ node: ConfigNode, path: String, diag: Diagnostics, allowed: [String]) {
        guard case .mapping(let entries, let at) = node else {
            diag.add(node.location, path, "expected a mapping (key: value), found \(node.kindDescription)")
            return nil
        }
        self.path = path
        self.location = at
        self.diag = diag
        self.entries = entries
        for e in entries where !allowed.contains(e.key) {
            diag.add(e.keyAt, child(path, e.key), Fields.unknownKeyReason(e.key, allowed: allowed))
        }
    }

    static func unknownKeyReason(_ key: String, allowed: [String]) -> String {
        let near = allowed.map { ($0, editDistance($0, key)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }
        if let near { return "unknown key; did you mean '\(near.0)'?" }
        return "unknown key (allowed here: \(allowed.joined(separator: ", ")))"
    }

    /// The value of `key`; nil when it is missing or empty.
    func node(_ key: String) -> ConfigNode? {
        guard let v = entries.first(where: { $0.key == key })?.value, !v.isNull else { return nil }
        return v
    }

    func has(_ key: String) -> Bool { node(key) != nil }

    /// Where an error about `key` points: its value, else the mapping.
    func location(of key: String) -> ConfigLocation { node(key)?.location ?? location }

    /// Records an error about `key`.
    func fail(_ key: String, _ reason: String) { diag.add(location(of: key), child(path, key), reason) }

    /// Records that a required key is missing, at the mapping.
    func missing(_ key: String, _ why: String = "required") {
        diag.add(location, child(path, key), why)
    }

    func int<T: FixedWidthInteger & UnsignedInteger>(_ key: String, _ range: ClosedRange<T>) -> T? {
        node(key).flatMap { readInt($0, path: child(path, key), range, diag: diag) }
    }

    func bool(_ key: String) -> Bool? { node(key).flatMap { readBool($0, path: child(path, key), diag: diag) } }

    func string(_ key: String) -> String? { node(key).flatMap { readString($0, path: child(path, key), diag: diag) } }

    func seconds(_ key: String, _ range: ClosedRange<Seconds>) -> Seconds? {
        node(key).flatMap { readSeconds($0, path: child(path, key), range, diag: diag) }
    }

    func address(_ key: String) -> IPAddress? { node(key).flatMap { readAddress($0, path: child(path, key), diag: diag) } }

    func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) -> E? where E.RawValue == String {
        node(key).flatMap { readChoice($0, path: child(path, key), type, diag: diag) }
    }

    /// An absolute path name ("/var/lib/vipd").
    func filePath(_ key: String) -> String? {
        guard let s = string(key) else { return nil }
        guard s.hasPrefix("/") else {
            fail(key, "'\(s)' is not an absolute path (it must start with /)")
            return nil
        }
        return s
    }

    /// The items of a list; nil, with an error, when it is not a list.
    func list(_ key: String) -> [(node: ConfigNode, path: String)]? {
        guard let n = node(key) else { return nil }
        guard case .sequence(let items, _) = n else {
            fail(key, "expected a list, found \(n.kindDescription)")
            return nil
        }
        return items.enumerated().map { ($0.element, child(child(path, key), $0.offset)) }
    }

    /// A nested mapping.
    func mapping(_ key: String, allowed: [String]) -> Fields? {
        node(key).flatMap { Fields($0, path: child(path, key), diag: diag, allowed: allowed) }
    }
}

// MARK: - Scalars

func readInt<T: FixedWidthInteger & UnsignedInteger>(_ node: ConfigNode, path: String, _ range: ClosedRange<T>, diag: Diagnostics) -> T? {
    let wanted = "a whole number, \(range.lowerBound)-\(range.upperBound)"
    guard case .scalar(let text, let quoted, let at) = node, !quoted else {
        diag.add(node.location, path, "expected \(wanted), found \(node.kindDescription)")
        return nil
    }
    guard let v = parseDecimal(text) else {
        diag.add(at, path, "expected \(wanted), found '\(text)'")
        return nil
    }
    guard v >= UInt64(range.lowerBound), v <= UInt64(range.upperBound) else {
        diag.add(at, path, "\(text) is out of range (\(range.lowerBound)-\(range.upperBound))")
        return nil
    }
    return T(v)
}

func readBool(_ node: ConfigNode, path: String, diag: Diagnostics) -> Bool? {
    if case .scalar(let text, false, _) = node {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: break
        }
    }
    diag.add(node.location, path, "expected true or false, found \(node.kindDescription)")
    return nil
}

/// Any scalar, plain or quoted, as its text.
func readString(_ node: ConfigNode, path: String, diag: Diagnostics) -> String? {
    guard case .scalar(let text, _, _) = node else {
        diag.add(node.location, path, "expected a string, found \(node.kindDescription)")
        return nil
    }
    return text
}

func readSeconds(_ node: ConfigNode, path: String, _ range: ClosedRange<Seconds>, diag: Diagnostics) -> Seconds? {
    let wanted = "seconds, \(range.lowerBound)-\(range.upperBound), to the millisecond at most"
    guard case .scalar(let text, false, let at) = node else {
        diag.add(node.location, path, "expected \(wanted), found \(node.kindDescription)")
        return nil
    }
    guard let s = Seconds(text) else {
        diag.add(at, path, "expected \(wanted), found '\(text)'")
        return nil
    }
    guard range.contains(s) else {
        diag.add(at, path, "\(text) is out of range (\(range.lowerBound)-\(range.upperBound) seconds)")
        return nil
    }
    return s
}

func readAddress(_ node: ConfigNode, path: String, diag: Diagnostics) -> IPAddress? {
    guard let text = readString(node, path: path, diag: diag) else { return nil }
    guard let a = IPAddress(text) else {
        let why = text.contains("/") ? "; write the address without a prefix length"
            : text.contains("%") ? "; zones (%eth0) are not supported" : ""
        diag.add(node.location, path, "'\(text)' is not an IPv4 or IPv6 address\(why)")
        return nil
    }
    return a
}

func readChoice<E: RawRepresentable & CaseIterable>(_ node: ConfigNode, path: String, _ type: E.Type, diag: Diagnostics) -> E? where E.RawValue == String {
    let names = E.allCases.map(\.rawValue)
    guard let text = readString(node, path: path, diag: diag) else { return nil }
    guard let v = E(rawValue: text) else {
        diag.add(node.location, path, "'\(text)' is not one of \(names.joined(separator: ", "))")
        return nil
    }
    return v
}

/// Levenshtein distance, for "did you mean".
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.utf8), y = Array(b.utf8)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var prev = Array(0...y.count)
    for i in 1...x.count {
        var cur = [i] + Array(repeating: 0, count: y.count)
        for j in 1...y.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        prev = cur
    }
    return prev[y.count]
}
