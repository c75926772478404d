import Foundation

/// Finds DriverKit's sources for building Swift drivers from git: the `Sources/` folder of the
/// checkout the binary was built in (`make run`), an installed share directory, or where
/// `BACKOFFICE_DRIVERKIT_SOURCES` says. The folder holds `DriverKit/` and `CDriverKitTLS/`.
enum DriverKitSourcesLocator {
    static func locate() -> String? {
        var candidates: [String] = []
        if let override = ProcessInfo.processInfo.environment["BACKOFFICE_DRIVERKIT_SOURCES"] {
            candidates.append(override)
        }
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            let binDirectory = executable.deletingLastPathComponent()
            // .build/<config>/backoffice or .build/<triple>/<config>/backoffice → checkout root.
            candidates.append(binDirectory.appendingPathComponent("../../Sources").standardized.path)
            candidates.append(binDirectory.appendingPathComponent("../../../Sources").standardized.path)
            candidates.append(binDirectory.appendingPathComponent("../share/backoffice/Sources").standardized.path)
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/Sources")
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/DriverKit/Runtime/DriverMain.swift") }
    }
}
