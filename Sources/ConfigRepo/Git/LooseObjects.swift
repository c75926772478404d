import Foundation

/// The loose objects of one object directory: one zlib file per object at
/// `<objects>/<2 hex digits>/<38 hex digits>`, as the git CLI writes them.
struct LooseObjects: Sendable {
    /// The object directory (`.git/objects`).
    let directory: String

    /// The path of `id`'s file, whether or not it exists.
    func path(of id: ObjectID) -> String {
        let hex = id.hex
        return directory + "/" + hex.prefix(2) + "/" + hex.dropFirst(2)
    }

    /// The object, or nil when there is no such file.
    func read(_ id: ObjectID) throws(GitError) -> GitObject? {
        let path = path(of: id)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let inflated = data.withUnsafeBytes({ Zlib.inflateAll($0) }),
              let space = inflated.firstIndex(of: UInt8(ascii: " ")),
              let nul = inflated[space...].firstIndex(of: 0),
              let type = ObjectType(name: inflated[..<space]),
              let size = Int(String(decoding: inflated[(space + 1)..<nul], as: UTF8.self)),
              size == inflated.count - nul - 1 else {
            throw GitError.corrupt("\(path) is not a loose object")
        }
        return GitObject(type: type, bytes: Array(inflated[(nul + 1)...]))
    }

    /// Ids and paths of every loose object (a scan of 256 folders).
    func list() -> [(id: ObjectID, path: String)] {
        var result: [(id: ObjectID, path: String)] = []
        let fileManager = FileManager.default
        guard let folders = try? fileManager.contentsOfDirectory(atPath: directory) else { return [] }
        for folder in folders where folder.utf8.count == 2 {
            guard let names = try? fileManager.contentsOfDirectory(atPath: directory + "/" + folder) else { continue }
            for name in names where name.utf8.count == 38 {
                guard let id = ObjectID(hex: folder + name) else { continue }
                result.append((id, directory + "/" + folder + "/" + name))
            }
        }
        return result
    }
}
