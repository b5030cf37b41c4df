/// A test harness failure (a command that failed or overstayed, a missing
/// tool, a namespace thread that did not finish): not an assertion, just a
/// readable reason the test could not run its checks.
public struct HarnessError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
