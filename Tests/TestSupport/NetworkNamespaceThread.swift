import Foundation

/// Whether this process may create network namespaces and use raw kernel
/// interfaces (root in CI); suites that need it are enabled on this.
public let isRoot = geteuid() == 0

/// Runs `body` on a thread of its own that first moves into a fresh network
/// namespace, and returns what `body` returned (or rethrows what it threw).
///
/// - A thread of its own: unshare(CLONE_NEWNET) acts on the calling thread
///   only, so the test's own thread (and the cooperative pool it belongs
///   to) never leaves the host's namespace. The namespace dies with the
///   thread and the sockets it opened, so nothing needs cleaning up.
/// - A bounded wait: a body that hangs (a netlink socket that never
///   answers, a command that never exits) fails the test with a
///   `HarnessError` after `seconds` instead of hanging the whole run.
///
/// `body` runs outside the test's task, so it must not use `#expect` or
/// `XCTAssert`: it returns what it saw, and the test checks that afterwards.
/// Programs it starts must go through `runCommand` (posix_spawn from this
/// thread), not Foundation's `Process`.
public func inFreshNetworkNamespace<T: Sendable>(timeout seconds: Double = 60,
                                                 _ body: @escaping @Sendable () throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let outcome = ThreadOutcome<T>()
    let thread = Thread {
        outcome.result = Result {
            guard unshareNetworkNamespace() == 0 else {
                throw HarnessError("unshare(CLONE_NEWNET): \(String(cString: strerror(errno)))")
            }
            return try body()
        }
        done.signal()
    }
    thread.name = "netns-test"
    thread.start()
    guard done.wait(timeout: .now() + seconds) == .success else {
        throw HarnessError("the namespace thread did not finish within \(seconds) s")
    }
    return try outcome.result!.get()
}

/// glibc's unshare(2) with CLONE_NEWNET (0x40000000), for the calling
/// thread. Swift's Glibc module hides unshare (it is behind _GNU_SOURCE),
/// so it is looked up by name; that keeps this module free of vipd's own
/// modules and of libnl.
private func unshareNetworkNamespace() -> Int32 {
    typealias Unshare = @convention(c) (Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "unshare") else { return -1 }
    return unsafeBitCast(symbol, to: Unshare.self)(0x4000_0000)
}

/// Handed from the namespace thread to the test; the semaphore orders the
/// write before the read.
private final class ThreadOutcome<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
