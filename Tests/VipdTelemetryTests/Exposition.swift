/// A small parser of the Prometheus text format (0.0.4), so tests check
/// samples by name, labels and value rather than by substring.
struct Sample: Equatable, CustomStringConvertible {
    var name: String
    var labels: [String: String]
    var value: Double

    var description: String {
        "\(name)\(labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }) \(value)"
    }
}

struct ParseError: Error, CustomStringConvertible {
    var line: String
    var description: String { "not a sample line: \(line)" }
}

struct Exposition {
    var samples: [Sample] = []
    /// `# TYPE name kind` lines.
    var types: [String: String] = [:]

    init(_ text: String) throws {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4 else { throw ParseError(line: String(line)) }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            samples.append(try Self.sample(Array(line.unicodeScalars), String(line)))
        }
    }

    /// Every sample of one metric name, optionally only those whose labels
    /// include `matching`.
    func named(_ name: String, _ matching: [String: String] = [:]) -> [Sample] {
        samples.filter { s in
            s.name == name && matching.allSatisfy { s.labels[$0.key] == $0.value }
        }
    }

    /// The one sample with exactly these labels, or nil.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let found = samples.filter { $0.name == name && $0.labels == labels }
        return found.count == 1 ? found[0].value : nil
    }

    private static func sample(_ s: [Unicode.Scalar], _ line: String) throws -> Sample {
        var i = 0
        var name = ""
        while i < s.count, s[i] != "{", s[i] != " " {
            name.unicodeScalars.append(s[i])
            i += 1
        }
        var labels: [String: String] = [:]
        if i < s.count, s[i] == "{" {
            i += 1
            while i < s.count, s[i] != "}" {
                var key = ""
                while i < s.count, s[i] != "=" { key.unicodeScalars.append(s[i]); i += 1 }
                guard i + 1 < s.count, s[i + 1] == "\"" else { throw ParseError(line: line) }
                i += 2
                var value = ""
                while i < s.count, s[i] != "\"" {
                    if s[i] == "\\", i + 1 < s.count {
                        i += 1
                        value.unicodeScalars.append(s[i] == "n" ? "\n" : s[i])
                    } else {
                        value.unicodeScalars.append(s[i])
                    }
                    i += 1
                }
                guard i < s.count else { throw ParseError(line: line) }
                i += 1
                guard labels.updateValue(value, forKey: key) == nil else { throw ParseError(line: line) }
                if i < s.count, s[i] == "," { i += 1 }
            }
            guard i < s.count else { throw ParseError(line: line) }
            i += 1
        }
        guard i < s.count, s[i] == " " else { throw ParseError(line: line) }
        var rest = String(String.UnicodeScalarView(s[(i + 1)...]))
        if rest == "+Inf" { rest = "inf" }
        guard let value = Double(rest) else { throw ParseError(line: line) }
        return Sample(name: name, labels: labels, value: value)
    }
}
