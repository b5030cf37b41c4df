import BGPCodec
import Foundation

/// The shared third-party vectors, read in place from ../shared/testdata
/// (relative to the package root; CI has them there too). Nothing is copied
/// into the project.
enum TestData {
    /// The package root: this file is Tests/InteropVectorTests/TestData.swift.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let root = packageRoot.appendingPathComponent("../shared/testdata").standardized

    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// File names in a folder, sorted; `keep` filters them. Empty when the
    /// folder is missing, so every suite also checks its file count.
    static func files(in folder: String, keep: (String) -> Bool = { _ in true }) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path(folder))) ?? []
        return names.filter { !$0.hasPrefix(".") && keep($0) }.sorted()
    }

    enum ReadError: Error, CustomStringConvertible {
        case unreadable(String)
        case notText(String)
        case badHex(String)
        /// A file whose layout is not what its reader expects.
        case malformed(String)
        var description: String {
            switch self {
            case .unreadable(let p): return "cannot read \(p)"
            case .notText(let p): return "not UTF-8: \(p)"
            case .badHex(let s): return "bad hex: \(s.prefix(60))"
            case .malformed(let s): return s
            }
        }
    }

    static func bytes(_ relative: String) throws -> [UInt8] {
        guard let d = FileManager.default.contents(atPath: path(relative)) else { throw ReadError.unreadable(relative) }
        return [UInt8](d)
    }

    static func text(_ relative: String) throws -> String {
        let b = try bytes(relative)
        guard let s = String(validating: b, as: UTF8.self) else { throw ReadError.notText(relative) }
        return s
    }

    /// Hex text to bytes; spaces, colons and line ends are ignored.
    static func hexBytes(_ text: some StringProtocol) throws -> [UInt8] {
        var nibbles: [UInt8] = []
        for ch in text {
            if ch == ":" || ch.isWhitespace { continue }
            guard ch.isASCII, let v = ch.hexDigitValue else { throw ReadError.badHex(String(text)) }
            nibbles.append(UInt8(v))
        }
        guard nibbles.count % 2 == 0 else { throw ReadError.badHex(String(text)) }
        return stride(from: 0, to: nibbles.count, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
    }

    /// Every frame a MessageFramer gives for `bytes` when they arrive one
    /// byte at a time (or all at once), and what it still holds at the end.
    static func frame(_ bytes: [UInt8], byteAtATime: Bool) -> (frames: [MessageFramer.Frame], buffered: Int) {
        var f = MessageFramer()
        var out: [MessageFramer.Frame] = []
        if byteAtATime {
            for b in bytes {
                f.append(CollectionOfOne(b))
                while let x = f.next() { out.append(x) }
            }
        } else {
            f.append(bytes)
            while let x = f.next() { out.append(x) }
        }
        return (out, f.bufferedCount)
    }

    /// The NOTIFICATION a result asks for, as (code, subcode, action); nil
    /// for a good message. An UPDATE that lost attributes to attribute
    /// discard reports (0, 0, .attributeDiscard).
    static func outcome(_ r: DecodeResult) -> Outcome? {
        if case .message(.update(let u)) = r, !u.wire.discarded.isEmpty {
            return Outcome(0, 0, .attributeDiscard)
        }
        guard let f = r.fault else { return nil }
        return Outcome(f.notification.code, f.notification.subcode, f.action)
    }

    struct Outcome: Hashable, Sendable, CustomStringConvertible {
        var code: UInt8
        var subcode: UInt8
        var action: ErrorAction
        init(_ code: UInt8, _ subcode: UInt8, _ action: ErrorAction) {
            self.code = code
            self.subcode = subcode
            self.action = action
        }
        var description: String { "\(code)/\(subcode) \(action.name)" }
    }
}
