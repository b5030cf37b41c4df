import Foundation
import Testing
@testable import vipd

/// vipd's own file reads and replace-by-rename writes.
@Suite final class FileIOTests {
    let dir = "/tmp/vipd-fileio-test-\(UInt32.random(in: 0...UInt32.max))"

    /// Each test has its own directory; none is left behind.
    deinit { try? FileManager.default.removeItem(atPath: dir) }

    init() throws { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }

    @Test func readsWholeFilesOfAnySize() throws {
        for size in [0, 1, 4095, 4096, 4097, 100_000] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let path = dir + "/f\(size)"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(FileIO.readBytes(path) == bytes, "\(size)")
        }
        #expect(FileIO.readBytes(dir + "/missing") == nil)
        #expect(FileIO.readBytes("/proc/sys/kernel/random/boot_id")?.count == 37)
    }

    @Test func textMustBeUTF8() throws {
        try Data("a: ü\n".utf8).write(to: URL(fileURLWithPath: dir + "/good"))
        try Data([0x61, 0x3A, 0x20, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: dir + "/bad"))
        #expect(FileIO.readText(dir + "/good") == "a: ü\n")
        #expect(FileIO.readText(dir + "/bad") == nil)
    }

    @Test func writesReplaceTheFileWhole() throws {
        let path = dir + "/record"
        #expect(FileIO.writeAtomically(path, "one\n"))
        #expect(FileIO.writeAtomically(path, "two\nlines\n"))
        #expect(FileIO.readText(path) == "two\nlines\n")
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
        // A directory that is not there: refused, nothing left behind.
        #expect(!FileIO.writeAtomically(dir + "/no/such/file", "x"))
        #expect(FileIO.readText(path) == "two\nlines\n")
    }
}
