import Foundation

struct NATTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

let isRoot = geteuid() == 0
let nftPath = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// Runs `body` on a thread of its own that first leaves for a fresh network
/// namespace (unshare(CLONE_NEWNET) acts on the calling thread only), with
/// a bounded wait; the namespace dies with the thread. `body` returns what
/// it saw and the test checks it afterwards (no #expect off the test's task).
func inFreshNetworkNamespace<T: Sendable>(timeout seconds: Double = 60,
                                          _ body: @escaping @Sendable () throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let outcome = Outcome<T>()
    let thread = Thread {
        outcome.result = Result {
            guard unshareNetwork() == 0 else {
                throw NATTestError("unshare(CLONE_NEWNET): \(String(cString: strerror(errno)))")
            }
            return try body()
        }
        done.signal()
    }
    thread.name = "nat-netns-test"
    thread.start()
    guard done.wait(timeout: .now() + seconds) == .success else {
        throw NATTestError("the namespace thread did not finish within \(seconds) s")
    }
    return try outcome.result!.get()
}

/// glibc's unshare(2), which Swift's Glibc module hides (it is behind
/// _GNU_SOURCE); looked up by name. CLONE_NEWNET is 0x40000000.
private func unshareNetwork() -> Int32 {
    typealias Unshare = @convention(c) (Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "unshare") else { return -1 }
    return unsafeBitCast(symbol, to: Unshare.self)(0x4000_0000)
}

/// Handed from the namespace thread to the test; the semaphore orders the
/// write before the read.
private final class Outcome<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

struct CommandResult: Sendable {
    var status: Int32
    var output: String
    var errors: String
}

/// posix_spawn from the calling thread, so the program runs in that
/// thread's namespace (Foundation's Process is not used: its helper threads
/// live elsewhere). A bounded wait; output through files.
@discardableResult
func runCommand(_ arguments: [String], timeout: Double = 10, check: Bool = true) throws -> CommandResult {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("nat-\(UUID().uuidString)").path
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
    guard spawned == 0 else { throw NATTestError("\(arguments[0]): \(String(cString: strerror(spawned)))") }
    var status: Int32 = 0
    let deadline = Date().addingTimeInterval(timeout)
    while waitpid(pid, &status, WNOHANG) == 0 {
        if Date() > deadline {
            kill(pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
            throw NATTestError("\(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        usleep(5_000)
    }
    let exited = status & 0x7F == 0
    let result = CommandResult(status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F),
                               output: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                               errors: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    if check && result.status != 0 {
        throw NATTestError("\(arguments.joined(separator: " ")) exited \(result.status): \(result.errors)")
    }
    return result
}

/// What the nft command-line tool (not libnftables in this process) sees:
/// `nft -j list ruleset`, reduced to the tables and each rule's text from
/// `nft list chain`.
struct SeenRuleset: Sendable, Equatable {
    /// "family name" of every table.
    var tables: Set<String>
    /// The rules of vipd's postrouting chain per family ("ip", "ip6"), as
    /// `nft list chain` prints them.
    var vipdRules: [String: [String]]
    /// The rule count per family from the JSON.
    var vipdRuleCounts: [String: Int]
}

func seeRuleset() throws -> SeenRuleset {
    guard let nft = nftPath else { throw NATTestError("nft is not installed") }
    let json = try runCommand([nft, "-j", "list", "ruleset"]).output
    let top = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] ?? [:]
    var seen = SeenRuleset(tables: [], vipdRules: [:], vipdRuleCounts: [:])
    for item in top["nftables"] as? [[String: Any]] ?? [] {
        if let t = item["table"] as? [String: Any], let f = t["family"] as? String, let n = t["name"] as? String {
            seen.tables.insert("\(f) \(n)")
        }
        if let r = item["rule"] as? [String: Any], r["table"] as? String == "vipd", let f = r["family"] as? String {
            seen.vipdRuleCounts[f, default: 0] += 1
        }
    }
    for family in ["ip", "ip6"] where seen.tables.contains("\(family) vipd") {
        let text = try runCommand([nft, "list", "chain", family, "vipd", "postrouting"]).output
        seen.vipdRules[family] = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasSuffix("masquerade") }
    }
    return seen
}
