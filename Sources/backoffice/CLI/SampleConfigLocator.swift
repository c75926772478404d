import Foundation

/// Finds the bundled `sample-config/` directory: next to the source checkout the binary
/// was built in, in an installed share directory, or where `BACKOFFICE_SAMPLE_CONFIG` says.
enum SampleConfigLocator {
    static func locate() -> String? {
        var candidates: [String] = []
        if let override = ProcessInfo.processInfo.environment["BACKOFFICE_SAMPLE_CONFIG"] {
            candidates.append(override)
        }
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            let binDirectory = executable.deletingLastPathComponent()
            // .build/<config>/backoffice → checkout root; <prefix>/bin → <prefix>/share.
            candidates.append(binDirectory.appendingPathComponent("../../sample-config").standardized.path)
            candidates.append(binDirectory.appendingPathComponent("../../../sample-config").standardized.path)
            candidates.append(binDirectory.appendingPathComponent("../share/backoffice/sample-config").standardized.path)
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/sample-config")
        return candidates.first { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path + "/backoffice.json", isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }
}
