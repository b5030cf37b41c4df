// swift-tools-version:6.0
// vipd: highly available virtual IPs with our own BGP-4 speaker.
// Module map and import rules: docs/architecture.md.
import PackageDescription

/// Release links of the executables (docs/benchmarks.md, "Memory"): lld,
/// with relative relocations packed (DT_RELR, glibc 2.36 and later), so
/// the loader does not write 2 MB of them at start; vipd also lays out
/// first the functions its start-up, sessions and ingest run
/// (scripts/link/vipd.order, made by scripts/link/make-order-file). The
/// deployed build adds `--static-swift-stdlib` (scripts/build-release).
let releaseLink: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"], .when(configuration: .release)),
]

let package = Package(
    name: "vipd",
    products: [
        .executable(name: "vipctl", targets: ["vipctl"]),
        .executable(name: "bgp-streamgen", targets: ["bgp-streamgen"]),
        .executable(name: "vipd", targets: ["vipd"]),
        .library(name: "BGPCodec", targets: ["BGPCodec"]),
        .library(name: "FuzzChecks", targets: ["FuzzChecks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Pure core: no sockets, clocks, logging or Foundation.
        .target(name: "BGPCodec"),
        .target(name: "BGPCodecJSON", dependencies: ["BGPCodec"]),
        .target(name: "MRT", dependencies: ["BGPCodec"]),
        .target(name: "BGPSession", dependencies: ["BGPCodec"]),
        .target(name: "RIB", dependencies: ["BGPCodec", "BGPSession"]),
        .target(name: "FuzzChecks", dependencies: ["BGPCodec", "BGPCodecJSON", "VipdConfig"]),
        // Pure config model: YAML text in, values and errors out; no file I/O.
        // Yams for the libyaml it bundles (the CYaml module): the reader drives
        // libyaml's event API itself and no longer imports Yams.
        .target(name: "VipdConfig", dependencies: ["BGPCodec", .product(name: "Yams", package: "Yams")]),

        // Network edge: SwiftNIO sockets driving the pure sessions.
        .target(name: "BGPTransport", dependencies: [
            "BGPCodec", "BGPSession",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),

        // Kernel edge: routes through libnl-route-3, behind the RouteTable
        // protocol, with a recording twin for unit tests.
        .systemLibrary(name: "CNLRoute", pkgConfig: "libnl-route-3.0", providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]),
        .target(name: "KernelRoutes", dependencies: ["CNLRoute"]),

        // Operations edge: metrics (swift-metrics, Prometheus text), the
        // /metrics, /healthz and /readyz HTTP server, and log set-up.
        .target(name: "VipdTelemetry", dependencies: [
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),

        // Layer 2: gratuitous ARP and unsolicited NA frames (pure), and the
        // AF_PACKET sender and netlink link monitor that put them on the wire.
        .target(name: "Layer2Frames", dependencies: ["BGPCodec"]),
        .target(name: "Layer2Link", dependencies: ["Layer2Frames", "KernelRoutes", "CNLRoute"]),

        // Leader election: the pure state machine (time in, actions out), and
        // the etcd v3 JSON-gateway client that carries its actions out.
        .target(name: "Election", dependencies: ["BGPSession"]),
        .target(name: "EtcdClient", dependencies: [
            "Election", "BGPSession",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),

        // Health checks: the pure rise/fall/hold-down machine, and the TCP,
        // HTTP and HTTPS probes on SwiftNIO.
        .target(name: "Health", dependencies: ["BGPSession"]),
        .target(name: "HealthProbe", dependencies: [
            "Health",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),

        // IPVS: the desired-state model and planner (pure), the "IPVS"
        // generic netlink family over libnl-genl-3, and NAT mode's source NAT
        // through libnftables.
        .systemLibrary(name: "CNLGenl", pkgConfig: "libnl-genl-3.0", providers: [.apt(["libnl-3-dev", "libnl-genl-3-dev"])]),
        .systemLibrary(name: "CNFTables", pkgConfig: "libnftables", providers: [.apt(["libnftables-dev"])]),
        .target(name: "IPVS", dependencies: ["BGPCodec"]),
        .target(name: "IPVSNetlink", dependencies: ["IPVS", "CNLGenl", "BGPCodec"]),
        .target(name: "NATRules", dependencies: ["CNFTables"]),

        // Command-line edge.
        .target(name: "VipctlKit", dependencies: ["BGPCodec", "BGPCodecJSON"]),
        .executableTarget(name: "vipctl", dependencies: [
            "VipctlKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: releaseLink),
        .executableTarget(name: "vipd", dependencies: [
            "BGPCodec", "BGPCodecJSON", "BGPSession", "BGPTransport", "RIB", "VipdConfig",
            "KernelRoutes", "VipdTelemetry", "Layer2Frames", "Layer2Link", "Election", "EtcdClient",
            "Health", "HealthProbe", "IPVS", "IPVSNetlink", "NATRules", "CMalloc",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ], linkerSettings: releaseLink + [
            .unsafeFlags(["-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/scripts/link/vipd.order",
                          "-Xlinker", "--no-warn-symbol-ordering"], .when(configuration: .release)),
        ]),
        // The daemon's ingest path without sockets, for timing and callgrind.
        .executableTarget(name: "ingest-profile", dependencies: ["BGPCodec", "BGPSession", "RIB"]),
        .executableTarget(name: "ipvs-vmcheck", dependencies: ["IPVSNetlink"]),
        .executableTarget(name: "bgp-streamgen", dependencies: [
            "BGPCodec",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // bzip2, only to read the shared MRT sample in tests.
        .systemLibrary(name: "CBZip2", providers: [.apt(["libbz2-dev"])]),
        // glibc's <malloc.h> (mallopt) for vipd's start; nothing to link.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),

        // Helpers the test targets share: a fresh network namespace on a
        // thread of its own, commands with posix_spawn and a bounded wait,
        // and a seeded generator. Foundation only; no vipd module.
        .target(name: "TestSupport", path: "Tests/TestSupport"),

        .testTarget(name: "BGPCodecTests", dependencies: ["BGPCodec", "BGPCodecJSON", "FuzzChecks", "TestSupport"]),
        .testTarget(name: "InteropVectorTests", dependencies: ["BGPCodec", "BGPCodecJSON", "MRT", "CBZip2"]),
        .testTarget(name: "VipctlTests", dependencies: ["VipctlKit", "BGPCodec"]),
        .testTarget(name: "BGPSessionTests", dependencies: ["BGPSession", "BGPCodec"]),
        .testTarget(name: "VipdConfigTests", dependencies: ["VipdConfig", "BGPCodec", "TestSupport"]),
        .testTarget(name: "RIBTests", dependencies: ["RIB", "BGPCodec", "BGPSession", "TestSupport"]),
        .testTarget(name: "KernelRoutesTests", dependencies: ["KernelRoutes", "TestSupport"]),
        .testTarget(name: "VipdDaemonTests", dependencies: [
            "vipd", "KernelRoutes", "RIB", "VipdConfig", "BGPCodec", "Layer2Frames", "Layer2Link", "IPVS", "IPVSNetlink",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "Layer2Tests", dependencies: ["Layer2Frames", "Layer2Link", "KernelRoutes", "BGPCodec", "TestSupport"]),
        .testTarget(name: "IPVSTests", dependencies: ["IPVS", "IPVSNetlink", "NATRules", "BGPCodec", "TestSupport"]),
        .testTarget(name: "ElectionTests", dependencies: ["Election", "BGPSession", "TestSupport"]),
        .testTarget(name: "EtcdClientTests", dependencies: [
            "EtcdClient",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "HealthTests", dependencies: [
            "Health", "HealthProbe", "BGPSession",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .testTarget(name: "VipdTelemetryTests", dependencies: [
            "VipdTelemetry", "TestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "BGPTransportTests", dependencies: [
            "BGPTransport", "BGPSession", "BGPCodec",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
    ]
)
