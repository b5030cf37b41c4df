// swift-tools-version:6.0
// libFuzzer targets for vipd's BGP codec and config reader. Build and run: Fuzz/README.md.
// A package of its own, so that the main package's plain `swift build`
// never sees executables whose `main` comes from libFuzzer.
import PackageDescription

let fuzzFlags: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

func fuzzTarget(_ name: String) -> Target {
    .executableTarget(name: name, dependencies: [.product(name: "FuzzChecks", package: "vipd")], swiftSettings: fuzzFlags)
}

let package = Package(
    name: "vipd-fuzz",
    dependencies: [.package(name: "vipd", path: "..")],
    targets: ["FuzzFraming", "FuzzOpen", "FuzzUpdate", "FuzzNotification", "FuzzRouteRefresh", "FuzzConfig"].map(fuzzTarget)
)
