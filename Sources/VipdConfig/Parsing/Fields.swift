import BGPCodec

/// Collects the errors of one decode pass. Every reader records its error
/// and gives back nil or a default, so that decoding goes on and finds the
/// rest.
final class Diagnostics {
    var errors: [ConfigError] = []

    /// The path is printed here, only now that there is an error.
    func add(_ at: ConfigLocation, _ path: ConfigPath, _ reason: String) {
        errors.append(ConfigError(at, path: path.description, reason: reason))
    }
}

/// A mapping being read. Opening it reports every key that is not allowed,
/// with the closest allowed key as a hint.
struct Fields {
    let path: ConfigPath
    let location: ConfigLocation
    let diag: Diagnostics
    private let entries: ConfigEntries

    /// nil, with an error, when `node` is not a mapping.
    init?(_ node: ConfigNode, path: ConfigPath, diag: Diagnostics, allowed: [String]) {
        guard node.kind == .mapping else {
            diag.add(node.location, path, "expected a mapping (key: value), found \(node.kindDescription)")
            return nil
        }
        self.path = path
        self.location = node.location
        self.diag = diag
        self.entries = node.entries
        for i in entries.indices where !entries.key(i, isOneOf: allowed) {
            let e = entries[i]
            diag.add(e.keyAt, path.child(e.keyText), Fields.unknownKeyReason(e.keyText, allowed: allowed))
        }
    }

    static func unknownKeyReason(_ key: String, allowed: [String]) -> String {
        let near = allowed.map { ($0, editDistance($0, key)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }
        if let near { return "unknown key; did you mean '\(near.0)'?" }
        return "unknown key (allowed here: \(allowed.joined(separator: ", ")))"
    }

    /// The value of `key`; nil when it is missing or empty.
    func node(_ key: String) -> ConfigNode? {
        guard let i = index(of: key) else { return nil }
        return entries[i].value
    }

    func has(_ key: String) -> Bool { index(of: key) != nil }

    /// The first entry of `key`, unless its value is empty. Keys are
    /// compared with the store's bytes: no String is made for them.
    private func index(of key: String) -> Int? {
        guard let i = entries.index(of: key) else { return nil }
        return entries[i].value.isNull ? nil : i
    }

    /// Where an error about `key` points: its value, else the mapping.
    func location(of key: String) -> ConfigLocation { node(key)?.location ?? location }

    /// Records an error about `key`.
    func fail(_ key: String, _ reason: String) { diag.add(location(of: key), path.child(key), reason) }

    /// Records that a required key is missing, at the mapping.
    func missing(_ key: String, _ why: String = "required") {
        diag.add(location, path.child(key), why)
    }

    // The readers get this mapping's path and the key, not the key's path:
    // that is made only for an error.

    func int<T: FixedWidthInteger & UnsignedInteger>(_ key: String, _ range: ClosedRange<T>) -> T? {
        guard let n = node(key) else { return nil }
        return readInt(n, path: path, key: key, range, diag: diag)
    }

    func bool(_ key: String) -> Bool? {
        guard let n = node(key) else { return nil }
        return readBool(n, path: path, key: key, diag: diag)
    }

    func string(_ key: String) -> String? {
        guard let n = node(key) else { return nil }
        return readString(n, path: path, key: key, diag: diag)
    }

    func seconds(_ key: String, _ range: ClosedRange<Seconds>) -> Seconds? {
        guard let n = node(key) else { return nil }
        return readSeconds(n, path: path, key: key, range, diag: diag)
    }

    func address(_ key: String) -> IPAddress? {
        guard let n = node(key) else { return nil }
        return readAddress(n, path: path, key: key, diag: diag)
    }

    func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) -> E? where E.RawValue == String {
        guard let n = node(key) else { return nil }
        return readChoice(n, path: path, key: key, type, diag: diag)
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
    func list(_ key: String) -> ConfigItems? {
        guard let n = node(key) else { return nil }
        guard n.kind == .sequence else {
            fail(key, "expected a list, found \(n.kindDescription)")
            return nil
        }
        return ConfigItems(n.children, path: path.child(key))
    }

    /// A nested mapping.
    func mapping(_ key: String, allowed: [String]) -> Fields? {
        node(key).flatMap { Fields($0, path: path.child(key), diag: diag, allowed: allowed) }
    }
}

// MARK: - Scalars

// A value's path is `path`, or `path.child(key)` when a key is given; it
// is made, like each message, only in a failure branch.

private func errorPath(_ path: ConfigPath, _ key: String?) -> ConfigPath { key.map { path.child($0) } ?? path }

func readInt<T: FixedWidthInteger & UnsignedInteger>(_ node: ConfigNode, path: ConfigPath, key: String? = nil, _ range: ClosedRange<T>, diag: Diagnostics) -> T? {
    func wanted() -> String { "a whole number, \(range.lowerBound)-\(range.upperBound)" }
    guard node.kind == .plain else {
        diag.add(node.location, errorPath(path, key), "expected \(wanted()), found \(node.kindDescription)")
        return nil
    }
    guard let v = node.withBytes({ parseDecimal($0) }) else {
        diag.add(node.location, errorPath(path, key), "expected \(wanted()), found '\(node.text)'")
        return nil
    }
    guard v >= UInt64(range.lowerBound), v <= UInt64(range.upperBound) else {
        diag.add(node.location, errorPath(path, key), "\(node.text) is out of range (\(range.lowerBound)-\(range.upperBound))")
        return nil
    }
    return T(v)
}

func readBool(_ node: ConfigNode, path: ConfigPath, key: String? = nil, diag: Diagnostics) -> Bool? {
    if node.kind == .plain {
        switch node.text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: break
        }
    }
    diag.add(node.location, errorPath(path, key), "expected true or false, found \(node.kindDescription)")
    return nil
}

/// Any scalar, plain or quoted, as its text.
func readString(_ node: ConfigNode, path: ConfigPath, key: String? = nil, diag: Diagnostics) -> String? {
    guard let text = node.scalarText else {
        diag.add(node.location, errorPath(path, key), "expected a string, found \(node.kindDescription)")
        return nil
    }
    return text
}

func readSeconds(_ node: ConfigNode, path: ConfigPath, key: String? = nil, _ range: ClosedRange<Seconds>, diag: Diagnostics) -> Seconds? {
    func wanted() -> String { "seconds, \(range.lowerBound)-\(range.upperBound), to the millisecond at most" }
    guard node.kind == .plain else {
        diag.add(node.location, errorPath(path, key), "expected \(wanted()), found \(node.kindDescription)")
        return nil
    }
    let text = node.text, at = node.location
    guard let s = Seconds(text) else {
        diag.add(at, errorPath(path, key), "expected \(wanted()), found '\(text)'")
        return nil
    }
    guard range.contains(s) else {
        diag.add(at, errorPath(path, key), "\(text) is out of range (\(range.lowerBound)-\(range.upperBound) seconds)")
        return nil
    }
    return s
}

func readAddress(_ node: ConfigNode, path: ConfigPath, key: String? = nil, diag: Diagnostics) -> IPAddress? {
    guard node.isScalar else {
        diag.add(node.location, errorPath(path, key), "expected a string, found \(node.kindDescription)")
        return nil
    }
    guard let a = node.withBytes({ IPAddress(utf8: $0) }) else {
        let text = node.text
        let why = text.contains("/") ? "; write the address without a prefix length"
            : text.contains("%") ? "; zones (%eth0) are not supported" : ""
        diag.add(node.location, errorPath(path, key), "'\(text)' is not an IPv4 or IPv6 address\(why)")
        return nil
    }
    return a
}

func readChoice<E: RawRepresentable & CaseIterable>(_ node: ConfigNode, path: ConfigPath, key: String? = nil, _ type: E.Type, diag: Diagnostics) -> E? where E.RawValue == String {
    guard let text = readString(node, path: path, key: key, diag: diag) else { return nil }
    guard let v = E(rawValue: text) else {
        let names = E.allCases.map(\.rawValue)
        diag.add(node.location, errorPath(path, key), "'\(text)' is not one of \(names.joined(separator: ", "))")
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
