import Glibc

/// Reads and writes kernel parameters under /proc/sys, by their sysctl name
/// (`net.ipv4.ip_forward`, `net.ipv4.vs.conntrack`) or their path below
/// /proc/sys (`net/ipv4/conf/eth0.100/rp_filter`, for names with dots in
/// them). Per-namespace parameters are those of the calling thread's
/// network namespace when /proc/sys is that of its own (it is for the
/// thread that mounted or entered it; a process's /proc/sys/net follows the
/// namespace of the task reading it).
public struct Sysctl: Sendable {
    /// Where the tree is; tests point it at a directory of their own.
    public var root: String

    public init(root: String = "/proc/sys") { self.root = root }

    /// The file of a name: dots become slashes unless the name already has
    /// a slash.
    public func path(of name: String) -> String {
        root + "/" + (name.contains("/") ? name : String(name.map { $0 == "." ? "/" : $0 }))
    }

    /// The value, without its trailing newline.
    public func read(_ name: String) throws(SysctlError) -> String {
        let p = path(of: name)
        let fd = open(p, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(name: name, path: p, operation: "open", errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(name: name, path: p, operation: "read", errno: errno)
            }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        var text = String(decoding: bytes, as: UTF8.self)
        while text.last == "\n" { text.removeLast() }
        return text
    }

    /// Writes the value (a newline is added, as `sysctl -w` does).
    public func write(_ name: String, _ value: String) throws(SysctlError) {
        let p = path(of: name)
        let fd = open(p, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(name: name, path: p, operation: "open", errno: errno) }
        defer { close(fd) }
        let bytes = Array((value + "\n").utf8)
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw .io(name: name, path: p, operation: "write", errno: n < 0 ? errno : EIO) }
    }
}

/// Sets parameters and remembers the value each had before vipd first set
/// it, so they can be put back on exit.
public struct SysctlChanges: Sendable {
    public let sysctl: Sysctl
    /// Each changed name with its value before the first change, in the
    /// order first changed.
    public private(set) var saved: [(name: String, value: String)] = []

    public init(sysctl: Sysctl = Sysctl()) { self.sysctl = sysctl }

    /// Sets `name` to `value`; the old value is remembered the first time.
    /// Writing is skipped when the value is already that (then nothing is
    /// remembered either, so restoring leaves it alone).
    public mutating func set(_ name: String, to value: String) throws(SysctlError) {
        let old = try sysctl.read(name)
        if saved.contains(where: { $0.name == name }) {
            if old != value { try sysctl.write(name, value) }
            return
        }
        guard old != value else { return }
        try sysctl.write(name, value)
        saved.append((name, old))
    }

    /// Writes the remembered values back, the last changed first, and
    /// forgets them. Every one is tried; the errors are returned.
    @discardableResult
    public mutating func restore() -> [SysctlError] {
        var errors: [SysctlError] = []
        for (name, value) in saved.reversed() {
            do throws(SysctlError) { try sysctl.write(name, value) } catch { errors.append(error) }
        }
        saved = []
        return errors
    }
}

public enum SysctlError: Error, Hashable, Sendable, CustomStringConvertible {
    case io(name: String, path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .io(let name, let path, let op, let e):
            let hint = e == ENOENT ? " (no such parameter: is the module loaded?)" : ""
            return "sysctl \(name): \(op) \(path): \(String(cString: strerror(e)))\(hint)"
        }
    }
}
