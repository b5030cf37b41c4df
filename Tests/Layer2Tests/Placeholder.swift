import XCTest
// placeholder until the first tests land
final class Layer2TestsPlaceholder: XCTestCase {}
