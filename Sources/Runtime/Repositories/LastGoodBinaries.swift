import ConfigRepo
import Foundation
import Synchronization

/// The binary each git driver last ran with successfully, kept in
/// `<state>/drivers/last-good.json` so that after a restart a driver whose new commit does
/// not build still runs its previous binary. Used only while the driver keeps its repository
/// and file.
final class LastGoodBinaries: Sendable {
    struct Entry: Sendable, Hashable {
        var repositoryID: String
        var file: String
        var commit: ObjectID
        var executable: String
    }

    private let path: String
    private let entries: Mutex<[String: Entry]>

    init(path: String) {
        self.path = path
        var loaded: [String: Entry] = [:]
        if let data = FileManager.default.contents(atPath: path), let json = try? JSONParser.parse([UInt8](data)) {
            for (driver, value) in json.objectValue ?? [:] {
                guard let repository = value["repository_id"]?.stringValue, let file = value["file"]?.stringValue,
                      let commit = value["commit"]?.stringValue.flatMap(ObjectID.init(hex:)),
                      let executable = value["executable"]?.stringValue else { continue }
                loaded[driver] = Entry(repositoryID: repository, file: file, commit: commit, executable: executable)
            }
        }
        entries = Mutex(loaded)
    }

    /// The last good binary of `driver` built from `repositoryID`'s `file`, if it is still there.
    func executable(driver: String, repositoryID: String, file: String) -> Entry? {
        guard let entry = entries.withLock({ $0[driver] }), entry.repositoryID == repositoryID, entry.file == file,
              FileManager.default.isExecutableFile(atPath: entry.executable) else { return nil }
        return entry
    }

    func record(driver: String, _ entry: Entry) {
        // Written under the lock, so two records never race to the file with older contents.
        entries.withLock { entries in
            guard entries[driver] != entry else { return }
            entries[driver] = entry
            var json: [String: JSONValue] = [:]
            for (driver, entry) in entries {
                json[driver] = .object(["repository_id": .string(entry.repositoryID), "file": .string(entry.file),
                                        "commit": .string(entry.commit.hex), "executable": .string(entry.executable)])
            }
            let temporary = path + ".tmp"
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if (try? Data(JSONWriter.canonicalBytes(.object(json))).write(to: URL(fileURLWithPath: temporary))) != nil {
                _ = rename(temporary, path)
            }
        }
    }
}
