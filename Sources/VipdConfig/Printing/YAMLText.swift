/// Scalars and small collections as YAML text, for the canonical printer.
/// Written by hand rather than through Yams' emitter so that the layout is
/// fixed: block mappings indented by two, `- ` items, flow style for short
/// sections as interfaces.md writes them.
enum YAMLText {
    /// A scalar that reads back as the same string: plain when that is
    /// safe, double-quoted otherwise. In a flow collection (`inFlow`) any
    /// ':' is quoted, as libyaml's flow scanner is strict about it.
    static func scalar(_ s: String, inFlow: Bool = false) -> String {
        isSafePlain(s, inFlow: inFlow) ? s : quoted(s)
    }

    /// Always double-quoted, with YAML escapes.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let hex = String(u.value, radix: 16)
                    out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    static func isSafePlain(_ s: String, inFlow: Bool) -> Bool {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return false }
        let word: (Unicode.Scalar) -> Bool = { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
        guard word(first) || first == "/" || first == "." else { return false }
        guard last != ":" else { return false }
        for u in s.unicodeScalars {
            if word(u) || "._/-+@".unicodeScalars.contains(u) { continue }
            if u == ":", !inFlow { continue }
            return false
        }
        // Words YAML would read as something other than a string.
        let lower = s.lowercased()
        if ["true", "false", "yes", "no", "on", "off", "y", "n", "null", ".inf", ".nan"].contains(lower) { return false }
        if Double(s) != nil || s.hasPrefix("0x") || s.hasPrefix("0o") || s.hasPrefix("0b") { return false }
        return true
    }

    /// `{key: value, ...}` from already rendered values.
    static func flowMap(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// `[a, b]` from already rendered values.
    static func flowList(_ items: [String]) -> String {
        "[" + items.joined(separator: ", ") + "]"
    }
}

/// Lines of a YAML document under construction.
struct YAMLLines {
    private(set) var lines: [String] = []

    mutating func add(_ indent: Int, _ text: String) {
        lines.append(String(repeating: " ", count: indent) + text)
    }

    /// A list item whose first line is `first` and whose other lines are
    /// indented under it.
    mutating func item(_ indent: Int, _ body: [String]) {
        for (i, l) in body.enumerated() {
            add(indent, (i == 0 ? "- " : "  ") + l)
        }
    }

    var text: String { lines.map { $0 + "\n" }.joined() }
}
