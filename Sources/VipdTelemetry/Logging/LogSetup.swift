import Logging

/// Process-wide logging set-up. swift-log allows one bootstrap per process:
/// the daemon calls `bootstrap(level:)` first thing in `main`, and every
/// `Logger(label:)` made afterwards writes `LogLineFormat` lines to stderr.
public enum LogSetup {
    public static func bootstrap(level: Logger.Level, sink: LogSink = .standardError, clock: LogClock = .system) {
        LoggingSystem.bootstrap(handlerFactory(level: level, sink: sink, clock: clock))
    }

    /// The factory `bootstrap` installs; tests make Loggers from it with
    /// `Logger(label:factory:)` and their own sink and clock.
    public static func handlerFactory(level: Logger.Level, sink: LogSink = .standardError,
                                      clock: LogClock = .system) -> @Sendable (String) -> any LogHandler {
        { _ in LineLogHandler(level: level, sink: sink, clock: clock) }
    }
}
