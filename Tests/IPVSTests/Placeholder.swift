import XCTest
// placeholder until the first tests land
final class IPVSTestsPlaceholder: XCTestCase {}
