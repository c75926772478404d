import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// DriverKit built once per version into the state directory, for every Swift driver to
/// link against: `<root>/<version>/` holds the `.swiftmodule` and `lib….a` of Crypto,
/// DriverProtocol and DriverKit, `libCCrypto.a`, `libCLinuxShims.a` and their module map. Built optimised (whole module) into a
/// temporary folder renamed into place, so a half-built library is never used.
struct DriverKitLibrary {
    let toolchain: DriverKitToolchain
    /// `<state>/drivers/driverkit`.
    let root: String
    var timeLimit: Double = 900

    var directory: String { root + "/" + toolchain.version }

    /// Whether the library of this version is there.
    var isBuilt: Bool { FileManager.default.fileExists(atPath: directory + "/libDriverKit.a") }

    /// The compiler flags a driver needs to import and link DriverKit.
    var driverFlags: [String] {
        ["-I", directory, "-L", directory] + DriverKitToolchain.swiftModules.reversed().map { "-l" + $0 }
            + DriverKitToolchain.cModules.map { "-l" + $0 } + ["-lssl", "-lcrypto"]
    }

    /// Builds the library unless it is there. Throws a `RuntimeError` with the compiler's output.
    func ensureBuilt(registry: RunningCommands? = nil) throws(RuntimeError) {
        if isBuilt { return }
        let manager = FileManager.default
        let temporary = root + "/.\(toolchain.version).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let cModules = DriverKitToolchain.cModules
        let sources = toolchain.sources
        do {
            try manager.createDirectory(atPath: temporary, withIntermediateDirectories: true)
            for cModule in cModules {
                try manager.copyItem(atPath: "\(sources)/\(cModule)/include/\(cModule).h", toPath: "\(temporary)/\(cModule).h")
            }
            try cModules.map(Self.moduleMap).joined().write(toFile: temporary + "/module.modulemap", atomically: false, encoding: .utf8)
        } catch {
            try? manager.removeItem(atPath: temporary)
            throw RuntimeError(code: "build_failed", message: "cannot prepare \(temporary): \(error)")
        }
        defer { try? manager.removeItem(atPath: temporary) }
        var log = ""
        func step(_ executable: String, _ arguments: [String], _ what: String) throws(RuntimeError) {
            let outcome: BoundedCommand.Outcome
            do {
                outcome = try BoundedCommand(executable: executable, arguments: arguments, timeLimit: timeLimit, registry: registry).run()
            } catch {
                throw RuntimeError(code: "build_failed", message: "cannot run \(executable): \(error)")
            }
            log += outcome.output
            if outcome.timedOut { throw RuntimeError(code: "build_failed", message: "\(what) took longer than \(Int(timeLimit)) s\n\(log)") }
            if !outcome.succeeded { throw RuntimeError(code: "build_failed", message: "\(what) failed\n\(log)") }
        }
        for cModule in cModules {
            var objects: [String] = []
            for file in toolchain.files(of: cModule, suffix: ".c") {
                let object = temporary + "/" + (file as NSString).lastPathComponent + ".o"
                try step(toolchain.clang, ["-c", "-O2", "-fPIC", "-I", "\(sources)/\(cModule)/include", sources + "/" + file, "-o", object],
                         "compiling \(file)")
                objects.append(object)
            }
            try step(Self.archiver(near: toolchain.clang), ["rcs", "\(temporary)/lib\(cModule).a"] + objects, "archiving \(cModule)")
            for object in objects { try? manager.removeItem(atPath: object) }
        }
        for module in DriverKitToolchain.swiftModules {
            try step(toolchain.swiftc, ["-swift-version", "6", "-parse-as-library", "-module-name", module,
                                        "-O", "-whole-module-optimization", "-emit-module",
                                        "-emit-module-path", "\(temporary)/\(module).swiftmodule",
                                        "-emit-library", "-static", "-o", "\(temporary)/lib\(module).a", "-I", temporary]
                     + toolchain.files(of: module, suffix: ".swift").map { sources + "/" + $0 }, "compiling \(module)")
        }
        try? log.write(toFile: temporary + "/build.log", atomically: false, encoding: .utf8)
        // Another server sharing the state directory may have finished first: then use its copy.
        if rename(temporary, directory) != 0 && !isBuilt {
            throw RuntimeError(code: "build_failed", message: "cannot move DriverKit into \(directory): \(String(cString: strerror(errno)))")
        }
    }

    static func moduleMap(_ module: String) -> String {
        "module \(module) {\n    header \"\(module).h\"\n    export *\n}\n"
    }

    /// `llvm-ar` beside the toolchain's clang, else the system's `ar`.
    static func archiver(near clang: String) -> String {
        let beside = (clang as NSString).deletingLastPathComponent + "/llvm-ar"
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : (DriverKitToolchain.onPath("ar") ?? "ar")
    }
}
