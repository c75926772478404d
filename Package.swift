// swift-tools-version:6.0
// BackOffice: the control room of a smart-building platform. No Swift package dependencies,
// by rule: only the toolchain and system C libraries (wrapped once each, in C* targets).
import Foundation
import PackageDescription

let package = Package(
    name: "BackOffice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "backoffice", targets: ["backoffice"]),
    ],
    targets: [
        // System libraries and the C shims for what Swift cannot import (macros, variadics).
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .target(name: "CGit2Shim", dependencies: ["CGit2"], linkerSettings: [.linkedLibrary("z")]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "CLinuxShims"),
        .target(name: "CCrypto", dependencies: ["COpenSSL"]),
        .systemLibrary(name: "CXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "CXMLShim", dependencies: ["CXML2"]),
        .systemLibrary(name: "CXMLSec", pkgConfig: "xmlsec1-openssl", providers: [.apt(["libxmlsec1-dev"])]),
        // xmlsec1's headers need the defines of `pkg-config --cflags xmlsec1-openssl` (SwiftPM passes
        // a system library's include paths on to C targets, not its defines); XMLSEC_NO_SIZE_T sets
        // the width of xmlSecSize, so it must match Debian's build of the library.
        .target(name: "CXMLSecShim", dependencies: ["CXMLSec"], cSettings: [
            .define("XMLSEC_CRYPTO_OPENSSL", to: "1"), .define("XMLSEC_NO_SIZE_T"), .define("XMLSEC_NO_GOST", to: "1"),
            .define("XMLSEC_NO_GOST2012", to: "1"), .define("XMLSEC_NO_CRYPTO_DYNAMIC_LOADING", to: "1"),
            .define("XMLSEC_OPENSSL3_ENGINES", to: "1"), .define("__XMLSEC_FUNCTION__", to: "__func__"),
        ]),
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),

        // The product.
        // The one wrapper over OpenSSL: random bytes, digests, HMAC, AES-GCM, key derivation, RSA, TLS client.
        .target(name: "Crypto", dependencies: ["CCrypto"]),
        // Five-field cron expressions in a time zone: DriverKit's scheduler, trigger validation and conditions.
        .target(name: "Cron"),
        .target(name: "ConfigRepo", dependencies: ["CGit2", "CGit2Shim", "Crypto", "Cron"]),
        .target(name: "Metrics"),
        // The one wrapper over libmosquitto: the runtime's publisher and the MQTT driver use it.
        .target(name: "MQTT", dependencies: ["CMosquitto", "CLinuxShims"]),
        .target(name: "Runtime", dependencies: ["ConfigRepo", "Cron", "Crypto", "DriverProtocol", "Metrics", "MQTT"]),
        .target(name: "SiteGen", dependencies: ["ConfigRepo", "CXMLShim"]),
        .target(name: "WebServer", dependencies: ["CLinuxShims", "Crypto"]),
        .target(name: "Auth", dependencies: ["ConfigRepo", "Crypto", "WebServer", "SiteGen", "CXMLSecShim"]),
        .target(name: "BackOfficeApp", dependencies: ["Auth", "ConfigRepo", "Crypto", "Metrics", "Runtime", "SiteGen", "WebServer"]),
        // What the core and a driver process agree on: framing, version, error codes. No dependencies.
        .target(name: "DriverProtocol"),
        // What Swift drivers are written against: depends on DriverProtocol, Crypto (TLS, MD5), Cron and nothing else of ours.
        .target(name: "DriverKit", dependencies: ["DriverProtocol", "Crypto", "Cron", "CLinuxShims"]),
        // DriverKit's MQTT transport, apart so that only MQTT drivers link libmosquitto.
        .target(name: "DriverKitMQTT", dependencies: ["DriverKit", "MQTT"]),
        .executableTarget(name: "backoffice", dependencies: ["BackOfficeApp", "Auth", "ConfigRepo", "Metrics", "Runtime", "SiteGen", "WebServer",
                                                            "DeviceSimulators", "MQTT"]),

        // Bundled drivers (`bundled:Drivers`): `Drivers/FOLDER` builds the executable `driver-FOLDER`.
        .executableTarget(name: "driver-pjlink", dependencies: ["DriverKit"], path: "Drivers/pjlink"),
        .executableTarget(name: "driver-modbus-hvac", dependencies: ["DriverKit"], path: "Drivers/modbus-hvac"),
        .executableTarget(name: "driver-lutron", dependencies: ["DriverKit"], path: "Drivers/lutron"),
        .executableTarget(name: "driver-occupancy", dependencies: ["DriverKit"], path: "Drivers/occupancy"),
        .executableTarget(name: "driver-room-logic", dependencies: ["DriverKit"], path: "Drivers/room-logic"),
        .executableTarget(name: "driver-mqtt-sensor", dependencies: ["DriverKit", "DriverKitMQTT", "MQTT"], path: "Drivers/mqtt-sensor"),
        // Device simulators for the bundled drivers (`backoffice simulate`, the demo, tests).
        .target(name: "DeviceSimulators", dependencies: ["DriverKit", "MQTT"], path: "Drivers/Simulators"),

        // Benchmarks (`make bench`, release builds).
        .target(name: "BenchSupport", dependencies: ["ConfigRepo"], path: "bench/BenchSupport"),
        .executableTarget(name: "config-bench", dependencies: ["ConfigRepo", "BenchSupport"], path: "bench/config-bench"),
        .executableTarget(name: "http-bench", dependencies: ["WebServer", "CLinuxShims", "BenchSupport"], path: "bench/http-bench"),
        .executableTarget(name: "runtime-bench", dependencies: ["Runtime", "WebServer", "Auth", "BackOfficeApp", "ConfigRepo", "DeviceSimulators", "CLinuxShims", "MQTT", "BenchSupport"], path: "bench/runtime-bench"),
        .executableTarget(name: "driver-bench", dependencies: ["DriverKit", "DeviceSimulators", "BenchSupport"], path: "bench/driver-bench"),
        .executableTarget(name: "rest-bench", dependencies: ["BackOfficeApp", "Auth", "ConfigRepo", "WebServer", "BenchSupport"],
                          path: "bench/rest-bench"),
        .executableTarget(name: "auth-bench", dependencies: ["Auth", "WebServer", "ConfigRepo", "BenchSupport"], path: "bench/auth-bench"),
        .executableTarget(name: "sso-bench", dependencies: ["Auth", "WebServer", "ConfigRepo", "Crypto", "BenchSupport"], path: "bench/sso-bench",
                          exclude: ["identity_providers.py"]),
        .executableTarget(name: "trigger-bench", dependencies: ["Runtime", "ConfigRepo", "BenchSupport"], path: "bench/trigger-bench"),
        .executableTarget(name: "mqtt-bench", dependencies: ["ConfigRepo", "Runtime", "Metrics", "MQTT", "BenchSupport"], path: "bench/mqtt-bench"),
        .executableTarget(name: "driver-build-bench", dependencies: ["Runtime", "ConfigRepo", "BenchSupport"], path: "bench/driver-build-bench"),
        .executableTarget(name: "journey-bench", dependencies: ["BenchSupport"], path: "bench/journey-bench"),
        .executableTarget(name: "gitops-bench", dependencies: ["ConfigRepo", "Crypto", "BenchSupport"], path: "bench/gitops-bench"),
        .executableTarget(name: "bench-summary", dependencies: ["ConfigRepo"], path: "bench/bench-summary"),
        .executableTarget(name: "site-bench", dependencies: ["ConfigRepo", "SiteGen", "WebServer", "Auth", "BackOfficeApp", "BenchSupport"],
                          path: "bench/site-bench"),

        // What several test targets share: the sample building on disk and as a git repository,
        // temporary directories, a loopback client.
        .target(name: "TestSupport", dependencies: ["ConfigRepo"], path: "Tests/TestSupport"),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"]),
        .testTarget(name: "ConfigRepoTests", dependencies: ["ConfigRepo", "Crypto", "TestSupport"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"]),
        .testTarget(name: "MQTTTests", dependencies: ["MQTT"]),
        .testTarget(name: "WebServerTests", dependencies: ["WebServer", "Crypto", "TestSupport"]),
        .testTarget(name: "AuthTests", dependencies: ["Auth", "ConfigRepo", "Crypto", "SiteGen", "WebServer", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "BackOfficeAppTests", dependencies: ["BackOfficeApp", "Auth", "ConfigRepo", "Runtime", "SiteGen", "WebServer",
                                                              "TestSupport"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "Cron", "Metrics", "MQTT", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "DriverProtocolTests", dependencies: ["DriverProtocol"]),
        .testTarget(name: "DriverKitTests", dependencies: ["DriverKit"]),
        .testTarget(name: "CronTests", dependencies: ["Cron"]),
        .testTarget(name: "DriversTests", dependencies: ["DriverKit", "DeviceSimulators", "MQTT"]),
        .testTarget(name: "DriverKitMQTTTests", dependencies: ["DriverKitMQTT", "DriverKit", "MQTT"]),
        .testTarget(name: "SiteGenTests", dependencies: ["SiteGen", "ConfigRepo", "TestSupport"]),

        // The properties every fuzz target asserts, one check per parser; `swift test` replays
        // the committed corpora through them (FuzzCorpusTests), the fuzzers below run them.
        .target(name: "FuzzChecks", dependencies: ["WebServer", "ConfigRepo", "Cron", "DriverProtocol", "SiteGen", "Auth", "Crypto",
                                                   "CLibFuzzer"], path: "fuzz/Checks"),
        // libFuzzer's driver entry point (a header only: the fuzz build links libFuzzer itself).
        .systemLibrary(name: "CLibFuzzer", path: "fuzz/CLibFuzzer"),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["FuzzChecks"]),
    ]
)

// The libFuzzer harnesses, one executable `fuzz-NAME` per folder `fuzz/Targets/NAME`, exist only
// when BACKOFFICE_FUZZ=1 (fuzz/run.sh sets it and builds them into .build-fuzz with
// -sanitize=fuzzer,address): ordinary builds and tests never see them.
if Context.environment["BACKOFFICE_FUZZ"] == "1" {
    let folder = Context.packageDirectory + "/fuzz/Targets"
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    for name in names {
        package.targets.append(.executableTarget(name: "fuzz-\(name)", dependencies: ["FuzzChecks"], path: "fuzz/Targets/\(name)"))
        package.products.append(.executable(name: "fuzz-\(name)", targets: ["fuzz-\(name)"]))
    }
}
