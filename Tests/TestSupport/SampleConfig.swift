import ConfigRepo
import Foundation

/// The bundled sample building (`sample-config/`) in memory: its files, snapshots of it with
/// edits, and made-up blob ids. For a real repository of it see ``SampleRepository``.
public enum SampleConfig {
    /// Every file of `sample-config/`, by path, each with a blob id made from its path and size.
    public static func files() -> [String: RepoFile] { cached }

    private static let cached: [String: RepoFile] = {
        let base = URL(fileURLWithPath: Checkout.sampleConfig)
        let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil)!
        var files: [String: RepoFile] = [:]
        for case let url as URL in enumerator where !url.hasDirectoryPath {
            let path = String(url.path.dropFirst(base.path.count + 1))
            let bytes = [UInt8](try! Data(contentsOf: url))
            files[path] = RepoFile(path: path, blob: blob(path + String(bytes.count)), bytes: bytes)
        }
        return files
    }()

    /// The sample building with `edits` (path → members; nil deletes). With a `commit` label the
    /// snapshot's commit id and the edited files' blob ids derive from it, so two labels give two
    /// versions of the same edited file.
    public static func snapshot(commit label: String? = nil, _ edits: [String: [String: JSONValue]?] = [:]) -> Snapshot {
        var files = files()
        for (path, members) in edits {
            files[path] = members.map { RepoFile(path: path, blob: blob(path + (label ?? "edit")), bytes: JSONWriter.canonicalBytes(.object($0))) }
        }
        return Snapshot(commit: label.map(blob), files: Array(files.values))
    }

    /// A sample file's members, for editing in a test.
    public static func members(_ path: String) -> [String: JSONValue] {
        files()[path].flatMap { try? JSONParser.parse($0.bytes).objectValue } ?? [:]
    }

    /// A deterministic 40-hex-digit id derived from `seed` (FNV-1a).
    public static func blob(_ seed: String) -> ObjectID {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in seed.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        let hex = String(hash, radix: 16)
        return ObjectID(hex: String(repeating: "0", count: 40 - hex.count) + hex)!
    }
}
