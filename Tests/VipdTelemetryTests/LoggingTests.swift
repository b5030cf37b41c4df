#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import TestSupport
import Testing
@testable import VipdTelemetry

/// A sink that keeps the lines for the test to read.
final class CapturedLines: Sendable {
    private let lines = Mutex<[String]>([])
    var sink: LogSink { LogSink { line in self.lines.withLock { $0.append(line) } } }
    var all: [String] { lines.withLock { $0 } }
}

/// 2024-02-29T12:34:56.789Z (checked with `date -u -d @1709210096`).
let fixedClock = LogClock { (1_709_210_096, 789_654_321) }

func makeLogger(_ captured: CapturedLines, level: Logger.Level = .info) -> Logger {
    Logger(label: "vipd", factory: LogSetup.handlerFactory(level: level, sink: captured.sink, clock: fixedClock))
}

@Suite struct LoggingTests {
    @Test func oneLineWithTimeLevelMessageAndSortedMetadata() {
        let captured = CapturedLines()
        var logger = makeLogger(captured)
        logger[metadataKey: LogKey.vipMode] = "arp"
        logger.info("VIP owned", metadata: [LogKey.vipAddress: "10.0.1.100", LogKey.bgpPeer: "10.0.0.1",
                                            "note": "two words", LogKey.bgpState: "Established"])
        #expect(captured.all == [
            "2024-02-29T12:34:56.789Z info VIP owned bgp.peer=10.0.0.1 bgp.state=Established note=\"two words\" "
                + "vip.address=10.0.1.100 vip.mode=arp\n",
        ])
    }

    @Test func theLevelFilters() {
        let captured = CapturedLines()
        let logger = makeLogger(captured, level: .notice)
        logger.debug("no")
        logger.info("no")
        logger.notice("yes")
        logger.error("also")
        #expect(captured.all == ["2024-02-29T12:34:56.789Z notice yes\n", "2024-02-29T12:34:56.789Z error also\n"])
    }

    @Test func metadataIsAlwaysSortedByKey() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<50 {
            let captured = CapturedLines()
            let logger = makeLogger(captured)
            var metadata: Logger.Metadata = [:]
            for _ in 0..<Int(rng.next() % 8 + 1) {
                let key = String((0..<Int(rng.next() % 6 + 1)).map { _ in Character(Unicode.Scalar(UInt8(97 + rng.next() % 26))) })
                metadata[key + ".k"] = .stringConvertible(rng.next() % 1000)
            }
            logger.warning("m", metadata: metadata)
            let line = try #require(captured.all.first)
            let fields = line.dropLast().split(separator: " ").dropFirst(3)
            let keys = fields.map { String($0.split(separator: "=")[0]) }
            #expect(keys == metadata.keys.sorted())
            #expect(fields.map { String($0.split(separator: "=")[1]) } == keys.map { "\(metadata[$0]!)" })
        }
    }

    @Test func valuesAreQuotedAndEscapedAndAnEventStaysOneLine() {
        let captured = CapturedLines()
        var logger = makeLogger(captured)
        logger[metadataKey: "k"] = "from the logger"
        logger.error("two\nlines", metadata: [
            "empty": "", "q": "say \"hi\"", "k": "from the event", "eq": "a=b", "slash": "c:\\dir",
            "list": .array(["x", "y"]), "nl": "a\nb",
        ])
        let line = captured.all.first ?? ""
        #expect(line.filter { $0 == "\n" }.count == 1)
        #expect(line == "2024-02-29T12:34:56.789Z error two\\nlines empty=\"\" eq=\"a=b\" k=\"from the event\" "
            + "list=\"[x, y]\" nl=\"a\\nb\" q=\"say \\\"hi\\\"\" slash=c:\\dir\n")
    }

    @Test func anAttachedErrorBecomesTheErrorKey() {
        struct Refused: Error, CustomStringConvertible { var description: String { "connection refused" } }
        let captured = CapturedLines()
        let handler = LineLogHandler(level: .info, sink: captured.sink, clock: fixedClock)
        handler.log(event: LogEvent(level: .warning, message: "dial failed", error: Refused(),
                                    metadata: [LogKey.bgpPeer: "10.0.0.1"], source: nil, file: #fileID,
                                    function: #function, line: #line))
        #expect(captured.all == [
            "2024-02-29T12:34:56.789Z warning dial failed bgp.peer=10.0.0.1 error=\"connection refused\"\n",
        ])
    }

    @Test(arguments: [
        (Int64(0), 0, "1970-01-01T00:00:00.000Z"),
        (951_782_400, 999_999, "2000-02-29T00:00:00.000Z"),
        (1_709_210_096, 789_654_321, "2024-02-29T12:34:56.789Z"),
        (4_102_444_799, 999_999_999, "2099-12-31T23:59:59.999Z"),
        (-1, 5_000_000, "1969-12-31T23:59:59.005Z"),
        (-86_400, 0, "1969-12-31T00:00:00.000Z"),
        (253_402_300_799, 120_000_000, "9999-12-31T23:59:59.120Z"),
    ])
    func rfc3339(seconds: Int64, nanoseconds: Int, text: String) {
        #expect(RFC3339.format(secondsSinceEpoch: seconds, nanoseconds: nanoseconds) == text)
    }

    @Test func theSystemClockIsNearNow() {
        // Cross-checks LogClock.system (clock_gettime) against time(2).
        let a = LogClock.system.now()
        let t = Int64(time(nil))
        #expect(abs(a.seconds - t) <= 2)
        #expect((0..<1_000_000_000).contains(a.nanoseconds))
    }

    @Test func perPeerDebugSwitches() {
        let captured = CapturedLines()
        var switches = DebugSwitches(base: makeLogger(captured, level: .info))
        switches.logger(for: "10.0.0.1").debug("hidden")
        let on = switches.set(peer: "10.0.0.1", on: true)
        on.debug("shown")
        switches.logger(for: "10.0.0.1").debug("shown again")
        switches.logger(for: "10.0.0.2").debug("other peer hidden")
        switches.logger(for: "10.0.0.2").info("other peer info")
        #expect(switches.isOn(peer: "10.0.0.1") && !switches.isOn(peer: "10.0.0.2"))
        switches.set(peer: "10.0.0.1", on: false).debug("hidden again")
        #expect(captured.all == [
            "2024-02-29T12:34:56.789Z debug shown bgp.peer=10.0.0.1\n",
            "2024-02-29T12:34:56.789Z debug shown again bgp.peer=10.0.0.1\n",
            "2024-02-29T12:34:56.789Z info other peer info bgp.peer=10.0.0.2\n",
        ])
        // A base already at trace stays at trace.
        var verbose = DebugSwitches(base: makeLogger(captured, level: .trace))
        #expect(verbose.set(peer: "10.0.0.1", on: true).logLevel == .trace)
        #expect(verbose.logger(for: "10.0.0.3").logLevel == .trace)
    }

    @Test func theContractsKeys() {
        #expect(LogKey.all == ["bgp.peer", "bgp.state", "vip.address", "vip.mode", "election.name",
                               "election.role", "ipvs.service", "ipvs.backend", "health.target",
                               "ipvs.services", "ipvs.backends"])
    }
}
