import VipdConfig

extension FuzzChecks {
    /// A config file, as bytes from anywhere: it is refused with reasons,
    /// each at a line (or for the whole file), or it is read; then its
    /// canonical form reads back to the same config and prints the same.
    /// Never a crash, whatever the bytes (the reader drives libyaml itself).
    /// And the reader without libyaml reads what it accepts as libyaml does.
    public static func config(_ data: UnsafeRawBufferPointer) -> [String] {
        let text = String(decoding: data, as: UTF8.self)
        if case .differs(let why) = ConfigDocument.plainReading(yaml: text) {
            return ["the plain reader reads it otherwise than libyaml: \(why)"]
        }
        let first: VipdConfig
        do {
            first = try VipdConfig.parse(yaml: text)
        } catch {
            var problems: [String] = []
            if error.errors.isEmpty { problems.append("refused without an error") }
            for e in error.errors where e.reason.isEmpty { problems.append("an error without a reason: \(e)") }
            return problems
        }
        let printed = first.canonicalYAML
        do {
            let second = try VipdConfig.parse(yaml: printed)
            var problems: [String] = []
            if second != first { problems.append("the canonical form reads back to another config:\n\(printed)") }
            if second.canonicalYAML != printed { problems.append("printing the read-back config gives other text:\n\(printed)") }
            return problems
        } catch {
            return ["the canonical form is refused: \(error.errors.map { "\($0)" }):\n\(printed)"]
        }
    }
}
