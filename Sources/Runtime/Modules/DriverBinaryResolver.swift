import ConfigRepo
import Foundation

/// Finds the executable of a driver. The bundled repository (`uri: bundled:Drivers`) maps the
/// driver file `FOLDER/File.swift` to `driver-FOLDER` next to the running `backoffice`; a
/// repository with a `file:///DIR` uri holds ready-to-run drivers (`DIR/<file_name>`, e.g. a
/// Python script). Drivers from git repositories are `DriverRepositories` (docs/driver-repositories.md).
public protocol DriverBinaryResolver: Sendable {
    /// Called with each snapshot before its modules are resolved (the repositories it names).
    func prepare(for snapshot: Snapshot)
    /// The executable's path, or why there is none.
    func executable(for driver: DriverView, repository: ConfigDocument?) -> Result<String, RuntimeError>
}

extension DriverBinaryResolver {
    public func prepare(for snapshot: Snapshot) {}
}

/// The resolver for the repositories BackOffice knows today: `bundled:` and `file://`.
public struct StandardDriverResolver: DriverBinaryResolver {
    /// Where bundled driver executables live (default: the directory of the running binary).
    public var bundledDirectory: String

    public init(bundledDirectory: String = StandardDriverResolver.executableDirectory()) {
        self.bundledDirectory = bundledDirectory
    }

    public func executable(for driver: DriverView, repository: ConfigDocument?) -> Result<String, RuntimeError> {
        guard let repository else {
            return .failure(RuntimeError(code: "start_failed", message: "driver \(driver.id) has no repository"))
        }
        let uri = repository.string("uri") ?? ""
        let file = driver.document.string("file_name") ?? ""
        let path: String
        if uri.hasPrefix("bundled:") {
            guard let folder = file.split(separator: "/").first, file.contains("/") else {
                return .failure(RuntimeError(code: "start_failed",
                                             message: "bundled driver file `\(file)` is not FOLDER/File.swift"))
            }
            path = bundledDirectory + "/driver-" + folder
        } else if uri.hasPrefix("file://") {
            path = String(uri.dropFirst("file://".count)) + "/" + file
        } else {
            return .failure(RuntimeError(code: "start_failed",
                                         message: "drivers from \(uri) are not built yet (only bundled: and file:// repositories run)"))
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            return .failure(RuntimeError(code: "start_failed", message: "driver executable \(path) is missing or not executable"))
        }
        return .success(path)
    }

    /// The directory of the running executable (`/proc/self/exe`).
    public static func executableDirectory() -> String {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: path).deletingLastPathComponent().path
    }
}
