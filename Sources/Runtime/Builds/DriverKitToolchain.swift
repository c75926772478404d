import ConfigRepo
import Foundation

/// What building Swift drivers needs: the Swift compiler, a C compiler for the OpenSSL shim,
/// and the sources of DriverKit and of what it is built on (`<sources>/DriverKit`, `Crypto`,
/// `DriverProtocol`, `Cron`, `CCrypto`, `CLinuxShims`: the checkout's `Sources/`). `version` digests all of them, so a changed DriverKit
/// or compiler builds everything again instead of linking against stale products.
public struct DriverKitToolchain: Sendable {
    /// DriverKit's C dependencies (OpenSSL's shim; epoll and eventfd for `DriverLoop`): each
    /// folder built into `lib<name>.a`, with a module map over `include/<name>.h`.
    static let cModules = ["CCrypto", "CLinuxShims"]
    /// The Swift modules, in build order: each imports the ones before it.
    static let swiftModules = ["Crypto", "DriverProtocol", "Cron", "DriverKit"]

    public var swiftc: String
    public var clang: String
    /// The folder holding `DriverKit/`, `DriverProtocol/`, `Cron/`, `Crypto/`, `CCrypto/` and `CLinuxShims/`.
    public var sources: String
    /// A digest of the DriverKit and shim sources and the compiler's version.
    public let version: String

    /// Fails with a message naming what is missing.
    public init(sources: String, swiftc: String? = nil) throws(RuntimeError) {
        guard FileManager.default.fileExists(atPath: sources + "/DriverKit/Runtime/DriverMain.swift"),
              Self.cModules.allSatisfy({ FileManager.default.fileExists(atPath: sources + "/\($0)/include/\($0).h") }),
              Self.swiftModules.allSatisfy({ FileManager.default.fileExists(atPath: sources + "/" + $0) }) else {
            throw RuntimeError(code: "build_unavailable",
                               message: "DriverKit's sources are not in \(sources) (expected DriverKit/, DriverProtocol/, Cron/, Crypto/, CCrypto/ and CLinuxShims/)")
        }
        guard let compiler = swiftc ?? Self.onPath("swiftc") else {
            throw RuntimeError(code: "build_unavailable", message: "no Swift compiler: swiftc is not on PATH (set BACKOFFICE_SWIFTC)")
        }
        let clang = (compiler as NSString).deletingLastPathComponent + "/clang"
        self.swiftc = compiler
        self.clang = FileManager.default.isExecutableFile(atPath: clang) ? clang : (Self.onPath("clang") ?? Self.onPath("cc") ?? "cc")
        self.sources = sources
        let compilerVersion = (try? BoundedCommand(executable: compiler, arguments: ["--version"], timeLimit: 30).run().output) ?? ""
        var digest = Array("swiftc \(compilerVersion)\n".utf8)
        for file in Self.sourceFiles(in: sources) {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: sources + "/" + file))).map { [UInt8]($0) } ?? []
            digest += Array("\(file) \(ObjectID.blob(hashing: bytes).hex)\n".utf8)
        }
        version = String(ObjectID.blob(hashing: digest).hex.prefix(16))
    }

    /// The files of one module's folder with `suffix`, relative to `sources`, sorted.
    func files(of module: String, suffix: String) -> [String] {
        Self.sourceFiles(in: sources).filter { $0.hasPrefix(module + "/") && $0.hasSuffix(suffix) }
    }

    static func sourceFiles(in sources: String) -> [String] {
        var files: [String] = []
        for folder in cModules + swiftModules {
            guard let enumerator = FileManager.default.enumerator(atPath: sources + "/" + folder) else { continue }
            for case let path as String in enumerator
            where path.hasSuffix(".swift") || path.hasSuffix(".c") || path.hasSuffix(".h") {
                files.append(folder + "/" + path)
            }
        }
        return files.sorted()
    }

    static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
