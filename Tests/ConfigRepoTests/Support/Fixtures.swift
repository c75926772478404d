import Foundation
@testable import ConfigRepo

/// Test data: the bundled sample building, in memory or as a real git repository.
enum Fixtures {
    /// The checkout's `sample-config/` directory.
    static let sampleConfig: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("sample-config")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("backoffice.json").path) {
                return candidate.path
            }
        }
        fatalError("sample-config/ not found above \(#filePath)")
    }()

    /// Every file of sample-config with a made-up blob id.
    static func sampleFiles() -> [RepoFile] {
        let root = URL(fileURLWithPath: sampleConfig)
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
        var files: [RepoFile] = []
        for case let url as URL in enumerator where !url.hasDirectoryPath {
            let path = String(url.path.dropFirst(root.path.count + 1))
            let bytes = [UInt8](try! Data(contentsOf: url))
            files.append(RepoFile(path: path, blob: fakeBlob(path + String(bytes.count)), bytes: bytes))
        }
        return files
    }

    /// The sample building as a snapshot, with `edits` applied: path → members (nil deletes).
    static func sampleSnapshot(_ edits: [String: [String: JSONValue]?] = [:]) -> Snapshot {
        var byPath = Dictionary(uniqueKeysWithValues: sampleFiles().map { ($0.path, $0) })
        for (path, members) in edits {
            if let members {
                byPath[path] = RepoFile(path: path, blob: fakeBlob(path + "edit"), bytes: JSONWriter.canonicalBytes(.object(members)))
            } else {
                byPath[path] = nil
            }
        }
        return Snapshot(commit: nil, files: Array(byPath.values))
    }

    /// A sample file's members, for editing in a test.
    static func members(_ path: String) -> [String: JSONValue] {
        let data = try! Data(contentsOf: URL(fileURLWithPath: sampleConfig + "/" + path))
        return try! JSONParser.parse([UInt8](data)).objectValue!
    }

    /// A deterministic 40-hex-digit id derived from `seed`.
    static func fakeBlob(_ seed: String) -> ObjectID {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in seed.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        let hex = String(hash, radix: 16)
        return ObjectID(hex: String(repeating: "0", count: 40 - hex.count) + hex)!
    }
}
