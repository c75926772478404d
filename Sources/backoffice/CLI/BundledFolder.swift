import Foundation

/// A folder the binary ships beside it, found where it is: where an environment variable says,
/// in the source checkout the binary was built in (`.build/<config>/backoffice` or
/// `.build/<triple>/<config>/backoffice`), in an installed `<prefix>/share/backoffice`, or in the
/// current directory. A candidate counts only if it holds the folder's marker file.
struct BundledFolder {
    /// The folder's name in the checkout (`sample-config`, `Sources`).
    let name: String
    /// The environment variable that overrides the search.
    let environmentOverride: String
    /// A file inside the folder that proves it is the right one.
    let marker: String

    /// The bundled sample building (`backoffice init`, the first `serve`).
    static let sampleConfig = BundledFolder(name: "sample-config", environmentOverride: "BACKOFFICE_SAMPLE_CONFIG",
                                            marker: "backoffice.json")
    /// DriverKit's sources and what it is built on (DriverProtocol, Cron, Crypto, CCrypto, CLinuxShims), for
    /// building Swift drivers from git.
    static let driverKitSources = BundledFolder(name: "Sources", environmentOverride: "BACKOFFICE_DRIVERKIT_SOURCES",
                                                marker: "DriverKit/Runtime/DriverMain.swift")

    func locate() -> String? {
        var candidates: [String] = []
        if let override = ProcessInfo.processInfo.environment[environmentOverride] {
            candidates.append(override)
        }
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            let binDirectory = executable.deletingLastPathComponent()
            for relative in ["../../", "../../../", "../share/backoffice/"] {
                candidates.append(binDirectory.appendingPathComponent(relative + name).standardized.path)
            }
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/" + name)
        return candidates.first { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path + "/" + marker, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }
}
