import Foundation
import Synchronization

/// Something objects can be read from: the database, or a write in progress.
protocol ObjectReader {
    /// The object; throws when it is missing or unreadable.
    func read(_ id: ObjectID) throws(GitError) -> GitObject
}

/// Every object of a repository, read without libgit2: its packs (mapped into memory,
/// newest first), its loose objects, and the trees and commits this process wrote lately.
///
/// Thread-safe. Packs written by this process are published as they are written; packs
/// written by others (`git push`, another process) are found by a rescan when an object is
/// missing. A pack that is replaced (merged) leaves the list at once but stays readable for
/// any reader still holding it.
final class ObjectDatabase: ObjectReader, Sendable {
    /// The object directories: where we write first, then alternates.
    let directories: [String]
    /// Files to write new packs into (nil: new files).
    let spares: SpareFiles?
    private let packs = Mutex<[PackFile]>([])
    private let recent = Mutex(ObjectCache<ObjectID>(budget: 8 << 20))
    let deltaBases = DeltaBaseCache(budget: 16 << 20)

    /// `<objects>/pack` of the directory we write to.
    var packDirectory: String { directories[0] + "/pack" }
    /// The loose objects of the directory we write to.
    var loose: LooseObjects { LooseObjects(directory: directories[0]) }

    /// The database over `directories` (the first is written to), with alternates listed in
    /// each one's `info/alternates`; new packs are written into `spares` when given.
    init(objectDirectories: [String], spares: SpareFiles? = nil) {
        self.spares = spares
        var all: [String] = []
        var pending = objectDirectories
        while !pending.isEmpty, all.count < 16 {
            let directory = pending.removeFirst()
            guard !all.contains(directory) else { continue }
            all.append(directory)
            if let text = try? String(contentsOfFile: directory + "/info/alternates", encoding: .utf8) {
                for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
                    pending.append(line.hasPrefix("/") ? String(line) : directory + "/" + line)
                }
            }
        }
        directories = all
        rescan()
    }

    /// The database of the repository whose git directory is `gitDirectory`. With
    /// `honouringGitEnvironment`, `GIT_OBJECT_DIRECTORY` and `GIT_ALTERNATE_OBJECT_DIRECTORIES`
    /// win: a pre-receive hook sees the pushed objects in git's quarantine directory.
    static func of(gitDirectory: String, honouringGitEnvironment: Bool, spares: SpareFiles? = nil) -> ObjectDatabase {
        var directories = [gitDirectory.hasSuffix("/") ? gitDirectory + "objects" : gitDirectory + "/objects"]
        if honouringGitEnvironment {
            let environment = ProcessInfo.processInfo.environment
            if let objects = environment["GIT_OBJECT_DIRECTORY"], !objects.isEmpty { directories = [objects] }
            if let alternates = environment["GIT_ALTERNATE_OBJECT_DIRECTORIES"] {
                directories += alternates.split(separator: ":").map(String.init)
            }
        }
        return ObjectDatabase(objectDirectories: directories, spares: spares)
    }

    // MARK: Reading

    func read(_ id: ObjectID) throws(GitError) -> GitObject {
        guard let object = try readIfPresent(id) else { throw GitError.missing(id) }
        return object
    }

    /// The object, or nil when no pack or loose file holds it, even after rescanning.
    func readIfPresent(_ id: ObjectID) throws(GitError) -> GitObject? {
        if let object = recent.withLock({ $0.object(id) }) { return object }
        for attempt in 0..<Self.rescans {
            if attempt > 0 { try rescanAfterMiss(attempt) }
            if let object = try readFromPacks(id) { return object }
            for directory in directories {
                if let object = try LooseObjects(directory: directory).read(id) { return object }
            }
        }
        return nil
    }

    /// Whether any pack or loose file holds the object, even after rescanning.
    func contains(_ id: ObjectID) -> Bool {
        if recent.withLock({ $0.object(id) }) != nil { return true }
        for attempt in 0..<Self.rescans {
            if attempt > 0 { try? rescanAfterMiss(attempt) }
            if packs.withLock({ $0 }).contains(where: { $0.contains(id) }) { return true }
            for directory in directories where access(LooseObjects(directory: directory).path(of: id), F_OK) == 0 { return true }
        }
        return false
    }

    /// How often a missing object is looked for: once, then after each rescan.
    private static let rescans = 4

    /// Rescans after an object was not found. A directory listing made while another
    /// process's packer moves a merged pack in and the old packs out may show neither, so a
    /// rescan that finds nothing new is repeated after a moment.
    private func rescanAfterMiss(_ attempt: Int) throws(GitError) {
        if attempt > 1 { usleep(UInt32(1_000 * attempt)) }
        rescan()
    }

    private func readFromPacks(_ id: ObjectID) throws(GitError) -> GitObject? {
        for pack in packs.withLock({ $0 }) {
            if let offset = pack.offset(of: id) { return try pack.object(at: offset, cache: deltaBases) }
        }
        return nil
    }

    /// The packs now in use, newest first.
    var currentPacks: [PackFile] { packs.withLock { $0 } }

    // MARK: Keeping the pack list

    /// Opens the packs that appeared in the object directories and forgets those whose index
    /// is gone. Returns whether a new pack was found.
    @discardableResult
    func rescan() -> Bool {
        var onDisk: [String] = []
        for directory in directories {
            let packDirectory = directory + "/pack"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: packDirectory)) ?? []
            onDisk += names.filter { $0.hasPrefix("pack-") && $0.hasSuffix(".idx") }.map { packDirectory + "/" + $0 }
        }
        let known = Set(packs.withLock { $0.map(\.basePath) })
        var opened: [PackFile] = []
        for path in onDisk where !known.contains(String(path.dropLast(4))) {
            // A pack being replaced at this moment may be gone already: its objects are elsewhere.
            if let pack = try? PackFile(indexPath: path) { opened.append(pack) }
        }
        let present = Set(onDisk.map { String($0.dropLast(4)) })
        packs.withLock { list in
            // Listed before a pack was written? Only a pack whose index is really gone goes.
            list.removeAll { !present.contains($0.basePath) && access($0.basePath + ".idx", F_OK) != 0 }
            let listed = Set(list.map(\.basePath))
            list.insert(contentsOf: opened.filter { !listed.contains($0.basePath) }, at: 0)
        }
        return !opened.isEmpty
    }

    /// Adds a pack this process just wrote (it is searched first).
    func publish(_ pack: PackFile) {
        packs.withLock { list in
            guard !list.contains(where: { $0.basePath == pack.basePath }) else { return }
            list.insert(pack, at: 0)
        }
    }

    /// Swaps merged packs for the pack that holds all their objects (published first, so no
    /// reader finds neither).
    func replace(_ merged: [PackFile], with pack: PackFile) {
        let gone = Set(merged.map(\.basePath)).subtracting([pack.basePath])
        packs.withLock { list in
            if !list.contains(where: { $0.basePath == pack.basePath }) { list.insert(pack, at: 0) }
            list.removeAll { gone.contains($0.basePath) }
        }
    }

    /// Keeps trees and commits this process just wrote in memory, where the next write reads them.
    func remember(_ objects: some Sequence<(ObjectID, GitObject)>) {
        recent.withLock { recent in
            for (id, object) in objects where object.type != .blob { recent.add(object, as: id) }
        }
    }
}
