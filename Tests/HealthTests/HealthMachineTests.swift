import BGPSession
import Health
import Testing

/// The rise/fall/hold-down rule as tables driven by a manual clock: each row
/// is one event at a time in seconds, and what the machine must say then.
@Suite struct HealthMachineTests {
    enum Event { case ok, fail, tick }

    struct Row {
        var at: Double
        var event: Event
        var expect: HealthTransition?
        var up: Bool
        /// The pending hold-down's end after the event, in seconds (nil: none).
        var holdDownEnds: Double? = nil
        var line: Int

        init(_ at: Double, _ event: Event, _ expect: HealthTransition?, up: Bool, holdDownEnds: Double? = nil,
             line: Int = #line) {
            self.at = at
            self.event = event
            self.expect = expect
            self.up = up
            self.holdDownEnds = holdDownEnds
            self.line = line
        }
    }

    static func instant(_ seconds: Double) -> Instant { Instant(nanoseconds: Int64(seconds * 1e9)) }

    func run(_ machine: HealthMachine, _ rows: [Row], _ label: String) {
        var m = machine
        for row in rows {
            let now = Self.instant(row.at)
            let got: HealthTransition? = switch row.event {
            case .ok: m.record(success: true, at: now)
            case .fail: m.record(success: false, at: now)
            case .tick: m.tick(now: now)
            }
            let where_ = "\(label), row at line \(row.line) (t=\(row.at) \(row.event))"
            #expect(got == row.expect, "\(where_): transition")
            #expect(m.isUp == row.up, "\(where_): isUp")
            #expect(m.holdDownEnds == row.holdDownEnds.map(Self.instant), "\(where_): holdDownEnds")
        }
    }

    @Test func startsDownAndRisesAfterExactlyRise() {
        let m = HealthMachine(rise: 3, fall: 2, holdDown: .zero)
        #expect(!m.isUp)
        #expect(m.holdDownEnds == nil)
        run(m, [
            Row(0, .ok, nil, up: false),
            Row(1, .ok, nil, up: false),
            Row(2, .ok, .up, up: true),
            Row(3, .ok, nil, up: true),
        ], "rise 3")
    }

    @Test func holdDownDoesNotApplyAtStart() {
        // A long hold-down, but no fall yet: the first streak comes up at once.
        run(HealthMachine(rise: 2, fall: 2, holdDown: .seconds(60)), [
            Row(0, .ok, nil, up: false),
            Row(1, .ok, .up, up: true),
        ], "start")
        // Failures before the first rise are not a fall either.
        run(HealthMachine(rise: 1, fall: 1, holdDown: .seconds(60)), [
            Row(0, .fail, nil, up: false),
            Row(1, .fail, nil, up: false),
            Row(2, .ok, .up, up: true),
        ], "failures at start")
    }

    @Test func fallsAfterExactlyFall() {
        run(HealthMachine(rise: 1, fall: 3, holdDown: .zero), [
            Row(0, .ok, .up, up: true),
            Row(1, .fail, nil, up: true),
            Row(2, .fail, nil, up: true),
            Row(3, .fail, .down, up: false),
            Row(4, .fail, nil, up: false),
        ], "fall 3")
    }

    @Test func aSuccessResetsTheFailureStreak() {
        run(HealthMachine(rise: 1, fall: 2, holdDown: .zero), [
            Row(0, .ok, .up, up: true),
            Row(1, .fail, nil, up: true),
            Row(2, .ok, nil, up: true),
            Row(3, .fail, nil, up: true),
            Row(4, .ok, nil, up: true),
            Row(5, .fail, nil, up: true),
            Row(6, .fail, .down, up: false),
        ], "scattered failures")
    }

    @Test func aSingleFailureResetsTheRiseStreak() {
        run(HealthMachine(rise: 2, fall: 1, holdDown: .zero), [
            Row(0, .ok, nil, up: false),
            Row(1, .fail, nil, up: false),
            Row(2, .ok, nil, up: false),
            Row(3, .fail, nil, up: false),
            Row(4, .ok, nil, up: false),
            Row(5, .ok, .up, up: true),
            // And again after a fall.
            Row(6, .fail, .down, up: false),
            Row(7, .ok, nil, up: false),
            Row(8, .fail, nil, up: false),
            Row(9, .ok, nil, up: false),
            Row(10, .ok, .up, up: true),
        ], "interrupted streaks")
    }

    @Test func holdDownDelaysComingBackAndTickEndsIt() {
        run(HealthMachine(rise: 2, fall: 1, holdDown: .seconds(10)), [
            Row(0, .ok, nil, up: false),
            Row(1, .ok, .up, up: true),
            Row(2, .fail, .down, up: false),          // hold-down until 12
            Row(3, .ok, nil, up: false),
            Row(4, .ok, nil, up: false, holdDownEnds: 12),   // streak complete, held
            Row(5, .ok, nil, up: false, holdDownEnds: 12),   // more successes change nothing
            Row(11.999, .tick, nil, up: false, holdDownEnds: 12),
            Row(12, .tick, .up, up: true),            // comes up when it ends, no probe needed
            Row(13, .tick, nil, up: true),
        ], "tick at the end")
    }

    @Test func aSuccessAfterTheHoldDownAlsoBringsItUp() {
        // A runner that missed the timer still comes up on the next success.
        run(HealthMachine(rise: 2, fall: 1, holdDown: .seconds(10)), [
            Row(0, .ok, nil, up: false),
            Row(1, .ok, .up, up: true),
            Row(2, .fail, .down, up: false),
            Row(3, .ok, nil, up: false),
            Row(4, .ok, nil, up: false, holdDownEnds: 12),
            Row(12.5, .ok, .up, up: true),
        ], "success after the end")
    }

    @Test func aFailureDuringTheHoldDownNeedsAFreshStreak() {
        run(HealthMachine(rise: 2, fall: 1, holdDown: .seconds(10)), [
            Row(0, .ok, nil, up: false),
            Row(1, .ok, .up, up: true),
            Row(2, .fail, .down, up: false),
            Row(3, .ok, nil, up: false),
            Row(4, .ok, nil, up: false, holdDownEnds: 12),
            Row(5, .fail, nil, up: false),            // pending rise cancelled
            Row(12, .tick, nil, up: false),           // hold-down over, but no streak
            Row(13, .ok, nil, up: false),
            Row(14, .ok, .up, up: true),              // fresh streak, after the hold-down
        ], "failure while held")
    }

    @Test func aStreakCompletingAfterTheHoldDownComesUpAtOnce() {
        run(HealthMachine(rise: 3, fall: 2, holdDown: .seconds(5)), [
            Row(0, .ok, nil, up: false),
            Row(1, .ok, nil, up: false),
            Row(2, .ok, .up, up: true),
            Row(3, .fail, nil, up: true),
            Row(4, .fail, .down, up: false),          // held until 9
            Row(8, .ok, nil, up: false),
            Row(9, .ok, nil, up: false),
            Row(10, .ok, .up, up: true),
        ], "late streak")
    }

    @Test func aSecondFallStartsASecondHoldDown() {
        run(HealthMachine(rise: 1, fall: 1, holdDown: .seconds(10)), [
            Row(0, .ok, .up, up: true),
            Row(1, .fail, .down, up: false),
            Row(2, .ok, nil, up: false, holdDownEnds: 11),
            Row(11, .tick, .up, up: true),
            Row(12, .fail, .down, up: false),         // held until 22 now
            Row(13, .ok, nil, up: false, holdDownEnds: 22),
            Row(21, .tick, nil, up: false, holdDownEnds: 22),
            Row(22, .tick, .up, up: true),
        ], "two falls")
    }

    @Test func zeroHoldDownAndOneOneToggleOnEveryResult() {
        run(HealthMachine(rise: 1, fall: 1, holdDown: .zero), [
            Row(0, .ok, .up, up: true),
            Row(1, .fail, .down, up: false),
            Row(2, .ok, .up, up: true),
            Row(3, .fail, .down, up: false),
        ], "rise 1 fall 1")
    }

    @Test func riseAndFallBelowOneCountAsOne() {
        let m = HealthMachine(rise: 0, fall: -3, holdDown: .seconds(-1))
        #expect(m.rise == 1)
        #expect(m.fall == 1)
        #expect(m.holdDown == .zero)
        run(m, [Row(0, .fail, nil, up: false), Row(1, .ok, .up, up: true), Row(2, .fail, .down, up: false)], "clamped")
    }

    /// Flap dampening: an API server that answers twice, then fails twice,
    /// over and over, moves the verdict at most once per hold-down, where
    /// without a hold-down it would move on every cycle.
    @Test func aFlappingServerIsDampened() {
        func transitions(holdDown: Duration) -> Int {
            var m = HealthMachine(rise: 2, fall: 2, holdDown: holdDown)
            var count = 0
            for second in 0..<120 {
                let now = Self.instant(Double(second))
                if m.tick(now: now) != nil { count += 1 }
                if m.record(success: second % 4 < 2, at: now) != nil { count += 1 }
            }
            return count
        }
        let undamped = transitions(holdDown: .zero)
        let damped = transitions(holdDown: .seconds(30))
        #expect(undamped == 60, "a change every 2 s without hold-down")
        // At most one fall and one rise per 30 s window (plus the first rise).
        #expect(damped <= 2 * (120 / 30) + 1, "got \(damped)")
        #expect(damped >= 2)
    }
}
