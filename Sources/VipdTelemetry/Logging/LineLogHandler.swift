#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// Where finished log lines go. `standardError` writes each line with one
/// `write(2)`, so lines from different threads never interleave (for lines
/// up to PIPE_BUF on a pipe, and in practice on a terminal or journald's
/// stream) and no lock of ours is needed.
public struct LogSink: Sendable {
    public let write: @Sendable (String) -> Void

    public init(_ write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    public static let standardError = LogSink { line in
        var line = line
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = systemWrite(2, bytes.baseAddress! + offset, bytes.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return  // stderr is gone; nothing better to do with a log line
                }
            }
        }
    }
}

private func systemWrite(_ fd: CInt, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, bytes, count)
    #elseif canImport(Musl)
    return Musl.write(fd, bytes, count)
    #else
    return Darwin.write(fd, bytes, count)
    #endif
}

/// The wall clock the handler stamps lines with, injectable for tests.
public struct LogClock: Sendable {
    /// Seconds and nanoseconds since the Unix epoch.
    public let now: @Sendable () -> (seconds: Int64, nanoseconds: Int)

    public init(_ now: @escaping @Sendable () -> (seconds: Int64, nanoseconds: Int)) {
        self.now = now
    }

    public static let system = LogClock {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return (Int64(ts.tv_sec), Int(ts.tv_nsec))
    }
}

/// vipd's swift-log handler: one line per event in `LogLineFormat`.
/// Metadata is the handler's (a Logger's `logger[metadataKey:]`), then the
/// metadata provider's, then the event's, later ones winning; an attached
/// error becomes the `error` key.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let sink: LogSink
    let clock: LogClock

    public init(level: Logger.Level, sink: LogSink = .standardError, clock: LogClock = .system,
                metadataProvider: Logger.MetadataProvider? = nil) {
        self.logLevel = level
        self.sink = sink
        self.clock = clock
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, new in new }
        }
        if let error = event.error {
            merged["error"] = .string("\(error)")
        }
        let now = clock.now()
        let time = RFC3339.format(secondsSinceEpoch: now.seconds, nanoseconds: now.nanoseconds)
        sink.write(LogLineFormat.line(time: time, level: event.level, message: event.message.description,
                                      metadata: merged))
    }
}
