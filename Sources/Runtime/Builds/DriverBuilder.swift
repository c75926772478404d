import ConfigRepo
import Foundation

/// Builds one driver binary (`DriverBuildKey`) into the cache: exports the commit, finds the
/// driver by the repository layout, compiles a Swift driver against the prebuilt DriverKit
/// (or takes an executable as it is), checks its `--metadata`, and publishes the result —
/// failures included, with the compiler's output, so they are shown and not rebuilt in a loop.
struct DriverBuilder {
    let cache: DriverBuildCache
    /// DriverKit for Swift drivers, or why Swift drivers cannot be built here.
    let library: @Sendable () -> Result<DriverKitLibrary, RuntimeError>
    var compileTimeLimit: Double = 300
    var metadata = DriverMetadataCheck()
    /// The compilers and `--metadata` runs in progress, killed when the service closes.
    let commands = RunningCommands()

    /// Builds `key` from `mirror` and publishes the outcome. Never throws: every problem is a
    /// `failed` state with a message.
    func build(_ key: DriverBuildKey, mirror: GitMirror) -> DriverBuildState {
        let temporary: String
        do { temporary = try cache.makeTemporary(for: key) } catch {
            return .failed(DriverBuildFailure(key: key, message: "cannot create a build folder: \(error)", output: "", diagnostics: []))
        }
        let (state, executable) = produce(key, mirror: mirror, in: temporary)
        do {
            try cache.publish(state, for: key, from: temporary, executable: executable)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            return .failed(DriverBuildFailure(key: key, message: "cannot store the build: \(error)", output: "", diagnostics: []))
        }
        // The published folder has the final path; report the binary there.
        if case .built(var built) = state, let executable {
            built.executable = cache.directory(for: key) + "/" + executable
            return .built(built)
        }
        return state
    }

    private func produce(_ key: DriverBuildKey, mirror: GitMirror, in folder: String) -> (DriverBuildState, String?) {
        func failure(_ message: String, output: String = "", diagnostics: [CompilerDiagnostic] = []) -> (DriverBuildState, String?) {
            (.failed(DriverBuildFailure(key: key, message: message, output: output, diagnostics: diagnostics)), nil)
        }
        let tree = folder + "/tree"
        let driver: DiscoveredDriver
        do {
            let files = try mirror.files(at: key.commit)
            switch try DriverDiscovery.driver(at: key.file, in: files, read: { try mirror.bytes(of: $0.blob) }) {
            case .success(let found): driver = found
            case .failure(let error): return failure(error.message)
            }
            try mirror.export(key.commit, into: tree)
        } catch {
            return failure("cannot read \(key.file) at \(key.commit.short): \(error)")
        }

        let executable: String
        var output = ""
        switch driver.kind {
        case .executable:
            executable = "tree/" + driver.file
        case .swift:
            let library: DriverKitLibrary
            switch self.library() {
            case .success(let found): library = found
            case .failure(let error): return failure("Swift drivers cannot be built here: \(error.message)")
            }
            do { try library.ensureBuilt(registry: commands) } catch {
                return failure("did not build: DriverKit did not build: \(error.message.split(separator: "\n").first ?? "")", output: error.message)
            }
            let module = "Driver_" + String(driver.folder.map { $0.isLetter || $0.isNumber ? $0 : "_" })
            let arguments = ["-swift-version", "6", "-module-name", module, "-Onone", "-o", folder + "/driver"]
                + library.driverFlags + driver.sources.map { tree + "/" + $0 }
            let outcome: BoundedCommand.Outcome
            do {
                outcome = try BoundedCommand(executable: library.toolchain.swiftc, arguments: arguments, timeLimit: compileTimeLimit,
                                             registry: commands).run()
            } catch {
                return failure("cannot run the Swift compiler: \(error)")
            }
            output = outcome.output.replacingOccurrences(of: tree + "/", with: "")
            let diagnostics = CompilerDiagnostic.parse(output, root: tree)
            if outcome.timedOut {
                return failure("did not build: the build took longer than \(Int(compileTimeLimit)) s and was stopped", output: output, diagnostics: diagnostics)
            }
            if !outcome.succeeded {
                let first = diagnostics.first { $0.severity == "error" }?.description
                    ?? output.split(separator: "\n").last.map(String.init) ?? "the compiler failed"
                return failure("did not build: " + first, output: output, diagnostics: diagnostics)
            }
            try? FileManager.default.removeItem(atPath: tree)
            executable = "driver"
        }
        switch metadata.run(folder + "/" + executable, registry: commands) {
        case .failure(let error): return failure(error.message, output: output)
        case .success(let found):
            return (.built(BuiltDriver(key: key, executable: folder + "/" + executable, metadata: found, output: output)), executable)
        }
    }
}
