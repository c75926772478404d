import ConfigRepo
import Foundation

/// A small building on the Python test driver (`Tests/RuntimeTests/Fixtures/python_driver.py`,
/// written from docs/driver-protocol.md alone): one system `sys-test` with modules `mod-a`
/// (Tester_1), `mod-b` (Tester_2) and `mod-bad` (fails to start). For tests that run real driver
/// processes without the bundled drivers being built.
public enum PythonDriverBuilding {
    /// The driver script.
    public static let driver = Checkout.root + "/Tests/RuntimeTests/Fixtures/python_driver.py"

    /// One file of the building, its blob id made from its content.
    public static func file(_ path: String, _ members: [String: JSONValue]) -> RepoFile {
        RepoFile(path: path, blob: SampleConfig.blob(path + JSONWriter.compactString(.object(members))),
                 bytes: JSONWriter.canonicalBytes(.object(members)))
    }

    /// The building with the system's modules in `moduleOrder`, with `extra` files added or
    /// replaced (path → members), labelled `commit`.
    public static func snapshot(moduleOrder: [String] = ["mod-a", "mod-b", "mod-bad"], extra: [String: [String: JSONValue]] = [:],
                                commit: ObjectID? = nil) -> Snapshot {
        let fixtures = URL(fileURLWithPath: driver).deletingLastPathComponent().path
        var files = [
            file("repositories/repo-local.json", ["name": "Local", "repo_type": "driver", "folder_name": "local", "uri": .string("file://" + fixtures)]),
            file("drivers/driver-python.json", ["name": "Python", "repository_id": "repo-local", "file_name": "python_driver.py",
                                                 "role": 1, "module_name": "Tester", "default_port": 9]),
            file("modules/mod-a.json", ["driver_id": "driver-python", "ip": "127.0.0.1", "settings": ["none": ["greeting": "hello"]]]),
            file("modules/mod-b.json", ["driver_id": "driver-python", "ip": "127.0.0.1"]),
            file("modules/mod-bad.json", ["driver_id": "driver-python", "ip": "127.0.0.1", "settings": ["none": ["fail_start": true]]]),
            file("systems/sys-test.json", ["name": "Test", "modules": .array(moduleOrder.map(JSONValue.string))]),
        ]
        for (path, members) in extra { files.removeAll { $0.path == path }; files.append(file(path, members)) }
        return Snapshot(commit: commit, files: files)
    }
}
