import BGPSession
import Health
import HealthProbe
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// The checker end to end against a test HTTP server, with 50 ms intervals.
/// The assertions are about the order and the counts of results and
/// changes; every wait is bounded.
@Suite(.serialized) final class HealthCheckerTests {
    let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    deinit {
        try? clientGroup.syncShutdownGracefully()
        try? serverGroup.syncShutdownGracefully()
    }

    enum Entry: Equatable, Sendable {
        case result(Bool)
        case change(Bool)
    }

    /// What the checker's callbacks saw, in order, and whether each ran on
    /// the checker's loop.
    final class Log: Sendable {
        let entries = Mutex<[Entry]>([])
        let offLoop = Mutex(0)
        let lastDetail = Mutex("")

        var all: [Entry] { entries.withLock { $0 } }
        var changes: [Bool] {
            all.compactMap { if case let .change(up) = $0 { up } else { nil } }
        }
        var results: Int { all.filter { if case .result = $0 { true } else { false } }.count }
    }

    func checker(_ port: Int, loop: EventLoop, rise: Int, fall: Int, holdDown: Duration = .zero,
                 timeout: Duration = .seconds(1), log: Log) -> HealthChecker {
        let spec = ProbeSpec(kind: .http, host: "127.0.0.1", port: port, path: "/readyz", timeout: timeout)
        return HealthChecker(
            eventLoop: loop, spec: spec, interval: .milliseconds(50),
            machine: HealthMachine(rise: rise, fall: fall, holdDown: holdDown),
            onResult: { outcome in
                if !loop.inEventLoop { log.offLoop.withLock { $0 += 1 } }
                log.lastDetail.withLock { $0 = outcome.detail }
                log.entries.withLock { $0.append(.result(outcome.success)) }
            },
            onChange: { up in
                if !loop.inEventLoop { log.offLoop.withLock { $0 += 1 } }
                log.entries.withLock { $0.append(.change(up)) }
            })
    }

    /// The entries from the last change (exclusive) back to the previous
    /// change or the start: the streak that made the change.
    func resultsBefore(changeNumber n: Int, in entries: [Entry]) -> [Bool] {
        var seen = 0
        var streak: [Bool] = []
        for e in entries {
            switch e {
            case let .result(ok): streak.append(ok)
            case .change:
                seen += 1
                if seen == n { return streak }
                streak = []
            }
        }
        return []
    }

    @Test func upAfterRiseDownAfterFallUpAgainAfterRise() async throws {
        let server = try await TestHTTPServer.start(on: serverGroup)
        let log = Log()
        let loop = clientGroup.next()
        let c = checker(server.port, loop: loop, rise: 2, fall: 3, log: log)
        #expect(!c.isUp, "starts down")
        c.start()

        #expect(await eventually(within: 10) { log.changes == [true] })
        #expect(c.isUp)
        // Exactly two successes, then up.
        #expect(Array(log.all.prefix(3)) == [.result(true), .result(true), .change(true)])

        server.set(.status(500))
        #expect(await eventually(within: 10) { log.changes == [true, false] })
        #expect(!c.isUp)
        // The change came right after the third failure in a row, and no
        // earlier: a success or two may still be from before the switch.
        let toDown = resultsBefore(changeNumber: 2, in: log.all)
        #expect(toDown.suffix(3) == [false, false, false], "\(toDown)")
        #expect(!toDown.dropLast(3).contains(false), "\(toDown)")

        server.set(.status(200))
        #expect(await eventually(within: 10) { log.changes == [true, false, true] })
        #expect(c.isUp)
        let toUp = resultsBefore(changeNumber: 3, in: log.all)
        #expect(toUp.suffix(2) == [true, true], "\(toUp)")
        #expect(!toUp.dropLast(2).contains(true), "\(toUp)")

        c.stop()
        // Stopped: no more results after the in-flight one is dropped.
        try await Task.sleep(for: .milliseconds(100))
        let count = log.results
        try await Task.sleep(for: .milliseconds(200))
        #expect(log.results == count, "results after stop")
        #expect(log.offLoop.withLock { $0 } == 0, "every callback runs on the checker's loop")
        #expect(await server.waitUntilAllClosed())
        await server.close()
    }

    @Test func holdDownKeepsItDownThenTheTimerBringsItUp() async throws {
        let server = try await TestHTTPServer.start(on: serverGroup)
        let log = Log()
        let loop = clientGroup.next()
        let c = checker(server.port, loop: loop, rise: 1, fall: 1, holdDown: .milliseconds(600), log: log)
        c.start()
        #expect(await eventually(within: 10) { log.changes == [true] })

        server.set(.status(503))
        #expect(await eventually(within: 10) { log.changes == [true, false] })
        let downAt = ContinuousClock.now
        server.set(.status(200))
        // rise is 1, so the streak is complete at the first success, but the
        // hold-down keeps it down for 600 ms after the fall.
        #expect(await eventually(within: 10) { log.changes == [true, false, true] })
        let held = ContinuousClock.now - downAt
        #expect(held >= .milliseconds(450), "came back after \(held)")
        let whileHeld = resultsBefore(changeNumber: 3, in: log.all)
        #expect(whileHeld.filter { $0 }.count >= 2, "successes during the hold-down: \(whileHeld)")
        c.stop()
        await server.close()
    }

    @Test func aSilentServerNeverOverlapsProbesAndKeepsChannelsBounded() async throws {
        let server = try await TestHTTPServer.start(on: serverGroup)
        server.set(.silent)
        let log = Log()
        let c = checker(server.port, loop: clientGroup.next(), rise: 1, fall: 1,
                        timeout: .milliseconds(150), log: log)
        let started = ContinuousClock.now
        c.start()
        try await Task.sleep(for: .milliseconds(1000))
        c.stop()
        let elapsed = ContinuousClock.now - started
        #expect(log.changes.isEmpty, "never up")
        #expect(log.lastDetail.withLock { $0 } == "timeout")
        // Each probe lasts its 150 ms timeout, and the next starts only then:
        // at most elapsed / 150 ms (+1) of them, not one per 50 ms interval.
        let bound = Int(elapsed / .milliseconds(150)) + 1
        #expect(log.results >= 2 && log.results <= bound, "\(log.results) probes in \(elapsed)")
        let stats = server.stats.withLock { $0 }
        #expect(stats.maxOpen <= 2, "at most the closing probe's and the next one's: \(stats.maxOpen)")
        #expect(await server.waitUntilAllClosed())
        await server.close()
    }
}
