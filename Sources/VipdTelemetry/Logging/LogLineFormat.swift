import Logging

/// One log event as one line of text:
///
///     2026-03-01T12:34:56.789Z info session established bgp.peer=10.0.0.1 bgp.state=Established
///
/// the time (RFC 3339, UTC, milliseconds), the level, the message, then the
/// metadata as key=value sorted by key. A value that is empty or holds a
/// space, `"`, `=` or a control character is quoted, with `\\`, `\"`, `\n`,
/// `\r`, `\t` and `\xHH` escapes inside. Line breaks in the message are
/// escaped too, so an event is always exactly one line.
public enum LogLineFormat {
    public static func line(time: String, level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var out = time
        out += " "
        out += level.rawValue
        out += " "
        out += escapedMessage(message)
        for key in metadata.keys.sorted() {
            out += " "
            out += sanitizedKey(key)
            out += "="
            out += quotedIfNeeded(render(metadata[key]!))
        }
        out += "\n"
        return out
    }

    /// A metadata value as text, before quoting: arrays as `[a, b]` and
    /// dictionaries as `[k: v]` sorted by key.
    public static func render(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let s): return s
        case .stringConvertible(let c): return c.description
        case .array(let items): return "[" + items.map(render).joined(separator: ", ") + "]"
        case .dictionary(let d):
            return "[" + d.keys.sorted().map { "\($0): \(render(d[$0]!))" }.joined(separator: ", ") + "]"
        }
    }

    /// The value as is when it needs no quotes, else in double quotes with escapes.
    public static func quotedIfNeeded(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { s in
            s == " " || s == "\"" || s == "=" || s.value < 0x20 || s.value == 0x7F
        }
        guard needsQuotes else { return value }
        var out = "\""
        for s in value.unicodeScalars {
            switch s {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default: appendEscapingControl(s, to: &out)
            }
        }
        out += "\""
        return out
    }

    /// The message with control characters escaped (no quotes).
    static func escapedMessage(_ message: String) -> String {
        guard message.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return message }
        var out = ""
        for s in message.unicodeScalars { appendEscapingControl(s, to: &out) }
        return out
    }

    /// Keys are code constants (`LogKey`); anything that would break the
    /// key=value split becomes `_`.
    static func sanitizedKey(_ key: String) -> String {
        guard key.unicodeScalars.contains(where: { $0 == " " || $0 == "=" || $0 == "\"" || $0.value < 0x20 }) else {
            return key
        }
        return String(String.UnicodeScalarView(key.unicodeScalars.map { s in
            s == " " || s == "=" || s == "\"" || s.value < 0x20 ? "_" : s
        }))
    }

    private static func appendEscapingControl(_ s: Unicode.Scalar, to out: inout String) {
        switch s {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if s.value < 0x20 || s.value == 0x7F {
                let hex = Array("0123456789abcdef")
                out += "\\x"
                out.append(hex[Int(s.value >> 4)])
                out.append(hex[Int(s.value & 0xF)])
            } else {
                out.unicodeScalars.append(s)
            }
        }
    }
}

/// RFC 3339 time stamps in UTC with milliseconds, from seconds since the
/// Unix epoch, without Foundation or the C library's time zone state.
public enum RFC3339 {
    /// `2026-03-01T12:34:56.789Z`. Nanoseconds are truncated to milliseconds.
    public static func format(secondsSinceEpoch seconds: Int64, nanoseconds: Int) -> String {
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        var out = ""
        out.reserveCapacity(24)
        pad(year, 4, &out); out += "-"
        pad(month, 2, &out); out += "-"
        pad(day, 2, &out); out += "T"
        pad(secondOfDay / 3600, 2, &out); out += ":"
        pad(secondOfDay % 3600 / 60, 2, &out); out += ":"
        pad(secondOfDay % 60, 2, &out); out += "."
        pad(Int64(max(0, min(nanoseconds, 999_999_999)) / 1_000_000), 3, &out)
        out += "Z"
        return out
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int64, _ width: Int, _ out: inout String) {
        let digits = String(value)
        if digits.count < width { out += String(repeating: "0", count: width - digits.count) }
        out += digits
    }
}
