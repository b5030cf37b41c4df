import BGPCodec
import Testing
@testable import VipdConfig

func ip(_ s: String) -> IPAddress {
    guard let a = IPAddress(s) else { fatalError("bad address in a test: \(s)") }
    return a
}

func v4(_ s: String) -> IPv4Address {
    guard let a = IPv4Address(s) else { fatalError("bad address in a test: \(s)") }
    return a
}

/// Parses text that must be valid; a failure records every error.
func parse(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> VipdConfig? {
    do {
        return try VipdConfig.parse(yaml: yaml)
    } catch {
        Issue.record("unexpected errors:\n\(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Parses text that must be refused, and returns its errors.
func errors(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ConfigError] {
    do {
        let c = try VipdConfig.parse(yaml: yaml)
        Issue.record("expected errors, parsed \(c)", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.errors
    }
}

/// The single error a text gives, as (line, path); records an issue unless
/// there is exactly one.
func onlyError(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> ConfigError? {
    let e = errors(yaml, sourceLocation: sourceLocation)
    guard e.count == 1 else {
        Issue.record("expected one error, got \(e.count):\n\(ConfigErrors(e))", sourceLocation: sourceLocation)
        return nil
    }
    return e[0]
}
