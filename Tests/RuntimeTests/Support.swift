import ConfigRepo
import Foundation
@testable import Runtime

/// Test data for the runtime: the sample building as snapshots, a fixed resolver, the Python driver.
enum RuntimeFixtures {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("sample-config/backoffice.json").path) { return url }
        }
        fatalError("sample-config/ not found above \(#filePath)")
    }()

    static let pythonDriver = root.appendingPathComponent("Tests/RuntimeTests/Fixtures/python_driver.py").path

    static let box: SecretBox = {
        let directory = NSTemporaryDirectory() + "runtime-tests-secret-\(getpid())"
        return SecretBox(secret: try! DeploymentSecret.loadOrCreate(stateDirectory: directory))
    }()

    static func blob(_ text: String) -> ObjectID {
        var hash: UInt64 = 1469598103934665603
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 1099511628211 }
        let hex = String(format: "%016llx", hash)
        return ObjectID(hex: hex + hex + String(hex.prefix(8)))!
    }

    /// Every file of sample-config/.
    static func sampleFiles() -> [String: RepoFile] {
        let base = root.appendingPathComponent("sample-config")
        let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil)!
        var files: [String: RepoFile] = [:]
        for case let url as URL in enumerator where !url.hasDirectoryPath {
            let path = String(url.path.dropFirst(base.path.count + 1))
            let bytes = [UInt8](try! Data(contentsOf: url))
            files[path] = RepoFile(path: path, blob: blob(path), bytes: bytes)
        }
        return files
    }

    /// The sample building with `edits` (path → members; nil deletes).
    static func snapshot(_ edits: [String: [String: JSONValue]?] = [:]) -> Snapshot {
        var files = sampleFiles()
        for (path, members) in edits {
            files[path] = members.map { RepoFile(path: path, blob: blob(path + "edited"), bytes: JSONWriter.canonicalBytes(.object($0))) }
        }
        return Snapshot(commit: nil, files: Array(files.values))
    }

    /// The members of a sample file.
    static func members(_ path: String) -> [String: JSONValue] {
        let bytes = [UInt8](try! Data(contentsOf: root.appendingPathComponent("sample-config/" + path)))
        return try! JSONParser.parse(bytes).objectValue!
    }
}

/// Every driver resolves to `/drivers/<driver id>`.
struct FixedResolver: DriverBinaryResolver {
    func executable(for driver: DriverView, repository: ConfigDocument?) -> Result<String, RuntimeError> {
        .success("/drivers/" + driver.id)
    }
}

/// Polls `condition` for up to `seconds`.
func eventually(_ seconds: Double = 10, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}
