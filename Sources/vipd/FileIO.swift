import Glibc

/// Whole-file reads and replace-by-rename writes over the C library, for
/// vipd's config and state files. Foundation's `String(contentsOfFile:)`
/// and `write(toFile:atomically:)` do the same, but their first use in a
/// process was some 15 and 9 ms of a start under emulation (the benchmark
/// VM), with the config and the IPVS record on the start's critical path.
enum FileIO {
    /// The file's bytes; nil when it cannot be opened or read.
    static func readBytes(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        let size = fstat(fd, &st) == 0 && st.st_size > 0 ? Int(st.st_size) : 0
        var out = [UInt8](repeating: 0, count: max(size, 4096))
        var used = 0
        while true {
            if used == out.count { out += [UInt8](repeating: 0, count: out.count) }
            let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + used, $0.count - used) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            used += n
        }
        out.removeSubrange(used...)
        return out
    }

    /// The file as text; nil when it cannot be read or is not UTF-8.
    static func readText(_ path: String) -> String? {
        readBytes(path).flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// Writes `text` to a temporary file beside `path` and renames it over
    /// `path`, so that a reader sees the old file or the new one, never
    /// half of one. False when any step fails (the old file then stays).
    @discardableResult
    static func writeAtomically(_ path: String, _ text: String) -> Bool {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        var text = text
        let written = text.withUTF8 { bytes -> Bool in
            var done = 0
            while done < bytes.count {
                let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                done += n
            }
            return true
        }
        guard close(fd) == 0, written, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }
}
