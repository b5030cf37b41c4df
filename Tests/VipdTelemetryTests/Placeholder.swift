import Testing
@testable import VipdTelemetry
