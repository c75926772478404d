import ConfigRepo
import Foundation

/// The id of the last commit the runtime applied, kept in the state directory so that a restart
/// onto an invalid head can run the configuration it ran before.
struct AppliedCommitRecord: Sendable {
    var path: String

    func load() -> ObjectID? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return ObjectID(hex: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Writes through a temporary file and a rename, so a crash leaves the old id or the new one.
    func save(_ commit: ObjectID) {
        guard load() != commit else { return }
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data((commit.hex + "\n").utf8)) else { return }
        _ = rename(temporary, path)
    }
}
