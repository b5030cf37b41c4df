import XCTest
// placeholder until the first tests land
final class HealthTestsPlaceholder: XCTestCase {}
