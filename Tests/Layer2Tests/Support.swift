import BGPCodec
import Foundation
import KernelRoutes
import Layer2Frames

func mac(_ text: String) -> MACAddress { MACAddress(text)! }
func v4(_ text: String) -> IPv4Address { IPv4Address(text)! }
func v6(_ text: String) -> IPv6Address { IPv6Address(text)! }
func k(_ text: String) -> KernelAddress { KernelAddress(text)! }

struct Layer2TestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// What a finished command left.
struct CommandResult: Sendable {
    var status: Int32
    var output: String
    var errors: String
}

/// Runs a program with a bounded wait (killed and reported as an error when
/// it overstays). posix_spawn from the calling thread, so the program runs
/// in that thread's network namespace; Foundation's Process is not used, as
/// its helper threads (and their sockets) may live in another namespace.
/// Output goes through files, so a chatty program cannot block on a pipe.
@discardableResult
func runCommand(_ arguments: [String], timeout: Double = 10, check: Bool = true) throws -> CommandResult {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("l2-\(UUID().uuidString)").path
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
        throw Layer2TestError("\(arguments[0]): \(String(cString: strerror(spawned)))")
    }
    var status: Int32 = 0
    let deadline = Date().addingTimeInterval(timeout)
    while waitpid(pid, &status, WNOHANG) == 0 {
        if Date() > deadline {
            kill(pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
            throw Layer2TestError("\(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        usleep(5_000)
    }
    let exited = status & 0x7F == 0
    let result = CommandResult(status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F),
                               output: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                               errors: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    if check && result.status != 0 {
        throw Layer2TestError("\(arguments.joined(separator: " ")) exited \(result.status): \(result.errors)")
    }
    return result
}

/// `ip ARGS...` (iproute2).
@discardableResult
func ip(_ arguments: String...) throws -> CommandResult {
    try runCommand(["/usr/sbin/ip"] + arguments)
}

/// Runs `body` on a thread of its own that first moves into a fresh network
/// namespace (unshare(CLONE_NEWNET) acts on the calling thread only), with
/// a bounded wait; the namespace dies with the thread and its sockets. The
/// same approach as KernelRoutesTests' harness (test targets cannot share
/// files). `body` returns what it saw; the test checks it afterwards.
func onThreadInFreshNamespace<T: Sendable>(timeout seconds: Double = 60,
                                           _ body: @escaping @Sendable () throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let outcome = Outcome<T>()
    let thread = Thread {
        outcome.result = Result {
            try NetworkNamespace.unshareCurrentThread()
            return try body()
        }
        done.signal()
    }
    thread.name = "l2-netns-test"
    thread.start()
    guard done.wait(timeout: .now() + seconds) == .success else {
        throw Layer2TestError("the namespace thread did not finish within \(seconds) s")
    }
    return try outcome.result!.get()
}

/// Handed from the namespace thread to the test; the semaphore orders the
/// write before the read.
private final class Outcome<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

let isRoot = geteuid() == 0

/// Polls `probe` every 50 ms until it returns a value `done` accepts or
/// `seconds` have passed; returns the last value seen either way.
func poll<T>(for seconds: Double = 2, _ probe: () throws -> T, until done: (T) -> Bool) rethrows -> T {
    let deadline = Date().addingTimeInterval(seconds)
    var value = try probe()
    while !done(value) && Date() < deadline {
        Thread.sleep(forTimeInterval: 0.05)
        value = try probe()
    }
    return value
}
