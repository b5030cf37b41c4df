import Foundation

/// What a finished command left; made only by `runCommand`.
public struct CommandResult: Sendable {
    /// The exit status, or 128 + the signal number when a signal ended it.
    public var status: Int32
    public var output: String
    public var errors: String
}

/// Runs a program (`arguments[0]` is its path; no PATH search) and waits
/// for it, at most `timeout` seconds.
///
/// - posix_spawn from the calling thread, so the program starts in that
///   thread's network namespace (see `inFreshNetworkNamespace`).
///   Foundation's `Process` is not used: its helper threads live in
///   another namespace, and it hangs when called inside a fresh one.
/// - A bounded wait: a program that overstays is killed (SIGKILL), reaped,
///   and reported as a `HarnessError`, so a stuck tool fails one test
///   instead of hanging the run.
/// - Output goes through temporary files, not pipes, so a chatty program
///   cannot block on a full pipe while we poll for its exit.
///
/// With `check`, a non-zero status throws a `HarnessError` carrying the
/// program's standard error.
@discardableResult
public func runCommand(_ arguments: [String], timeout: Double = 10, check: Bool = true) throws -> CommandResult {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("cmd-\(UUID().uuidString)").path
    let outPath = base + ".out", errPath = base + ".err"
    defer {
        unlink(outPath)
        unlink(errPath)
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for arg in argv { free(arg) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ)
    guard spawned == 0 else {
        throw HarnessError("\(arguments[0]): \(String(cString: strerror(spawned)))")
    }
    var status: Int32 = 0
    let deadline = Date().addingTimeInterval(timeout)
    while waitpid(pid, &status, WNOHANG) == 0 {
        if Date() > deadline {
            kill(pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
            throw HarnessError("\(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        usleep(5_000)
    }
    let exited = status & 0x7F == 0
    let result = CommandResult(status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F),
                               output: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                               errors: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    if check && result.status != 0 {
        throw HarnessError("\(arguments.joined(separator: " ")) exited \(result.status): \(result.errors)")
    }
    return result
}
