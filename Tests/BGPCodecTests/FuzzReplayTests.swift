import BGPCodec
import FuzzChecks
import Foundation
import Testing

/// Every seed and every crasher kept under Fuzz/ goes through the same
/// checks as the fuzz target it belongs to.
@Suite struct FuzzReplayTests {
    static let fuzzDir = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static let targets: [String: @Sendable (UnsafeRawBufferPointer) -> [String]] = [
        "FuzzFraming": { FuzzChecks.framing($0) },
        "FuzzOpen": { FuzzChecks.message($0, type: .open) },
        "FuzzUpdate": { FuzzChecks.message($0, type: .update) },
        "FuzzNotification": { FuzzChecks.message($0, type: .notification) },
        "FuzzRouteRefresh": { FuzzChecks.message($0, type: .routeRefresh) },
        "FuzzConfig": { FuzzChecks.config($0) },
    ]

    /// (target, file) for every kept input.
    static var inputs: [String] {
        var out: [String] = []
        for kind in ["corpus", "crashers"] {
            for target in targets.keys.sorted() {
                let dir = fuzzDir.appendingPathComponent(kind).appendingPathComponent(target)
                let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
                out += files.filter { !$0.hasPrefix(".") }.sorted().map { "\(kind)/\(target)/\($0)" }
            }
        }
        return out
    }

    @Test func seedsArePresentForEveryTarget() {
        for t in Self.targets.keys {
            #expect(Self.inputs.contains { $0.hasPrefix("corpus/\(t)/") }, "no seed for \(t)")
        }
    }

    @Test(arguments: inputs)
    func replay(_ path: String) throws {
        let target = path.split(separator: "/")[1]
        let check = try #require(Self.targets[String(target)])
        let data = try Data(contentsOf: Self.fuzzDir.appendingPathComponent(path))
        let problems = [UInt8](data).withUnsafeBytes { check($0) }
        #expect(problems.isEmpty, "\(path): \(problems)")
    }
}
