import Foundation
@testable import ConfigRepo
@testable import SiteGen

/// The sample building and the real templates, for page and dependency tests.
enum SiteFixtures {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("sample-config/backoffice.json").path) { return url.path }
        }
        fatalError("checkout root not found above \(#filePath)")
    }()

    static let library: TemplateLibrary = try! TemplateLibrary(directory: root + "/site-templates")

    static func sampleFiles() -> [String: RepoFile] {
        let base = URL(fileURLWithPath: root + "/sample-config")
        let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil)!
        var files: [String: RepoFile] = [:]
        for case let url as URL in enumerator where !url.hasDirectoryPath {
            let path = String(url.path.dropFirst(base.path.count + 1))
            let bytes = [UInt8](try! Data(contentsOf: url))
            files[path] = RepoFile(path: path, blob: blob(path + String(bytes.count)), bytes: bytes)
        }
        return files
    }

    /// The sample snapshot labelled `commit`, with edits (path → members, nil deletes).
    static func snapshot(commit: String, _ edits: [String: [String: JSONValue]?] = [:]) -> Snapshot {
        var files = sampleFiles()
        for (path, members) in edits {
            files[path] = members.map { RepoFile(path: path, blob: blob(path + commit), bytes: JSONWriter.canonicalBytes(.object($0))) }
        }
        return Snapshot(commit: blob(commit), files: Array(files.values))
    }

    static func members(_ path: String) -> [String: JSONValue] {
        sampleFiles()[path].flatMap { try? JSONParser.parse($0.bytes).objectValue } ?? [:]
    }

    static func blob(_ seed: String) -> ObjectID {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in seed.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        let hex = String(hash, radix: 16)
        return ObjectID(hex: String(repeating: "0", count: 40 - hex.count) + hex)!
    }

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "sitegen-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
