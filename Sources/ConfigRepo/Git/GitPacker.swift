import CGit2
import Foundation

/// What one packing run did.
public struct PackReport: Sendable, Hashable {
    /// Loose objects before packing.
    public var looseBefore: Int
    /// Loose objects removed because the new pack holds them.
    public var looseRemoved: Int
    /// Objects written into the new pack.
    public var packedObjects: Int
    /// Older packs removed because the new pack holds every object they had.
    public var packsRemoved: Int
    /// Whether this run consolidated every pack into one (else it packed loose objects only).
    public var consolidated: Bool
    /// Older packs (paths without extension) the new pack fully holds, before removal.
    var redundantPacks: [String]
}

/// Packs a repository's objects (libgit2 itself never does: no gc) into packs of our own
/// writing ( ``PackFileWriter``), with deltas between successive versions of a path
/// (``PackPlan``, ``PrefixSuffixDelta``) instead of libgit2's packbuilder, whose delta search
/// cost ~1 ms of CPU per object and took a whole core beside the writers.
///
/// Normally a run is incremental: the loose objects go into one new pack (cost in proportion
/// to what was written since the last run). When `consolidateAt` packs exist, the run also
/// merges the *small* packs: every pack under half the size of the largest (at least all but
/// the largest), with all their objects, reachable or not, so nothing is lost. The big base
/// pack is never rewritten, so consolidating costs in proportion to recent history, not to
/// the whole repository (a full repack of 62,000 files took seconds of CPU every few hundred
/// commits). Loose objects and merged packs are deleted only once a pack-only object database
/// confirms the new pack holds each of their objects.
///
/// Uses its own `GitRepository`, so it can run beside writers; loose objects written
/// meanwhile are simply left for the next run.
struct GitPacker {
    /// The `.git` directory, with a trailing `/`.
    let gitDirectory: String
    /// With this many packs (or more) a run merges the small ones.
    var consolidateAt = 8

    private var objectsDirectory: String { gitDirectory + "objects" }
    private var packDirectory: String { gitDirectory + "objects/pack" }

    /// Ids and file paths of the loose objects, from a directory scan.
    func looseObjects() -> [(id: git_oid, path: String)] {
        var result: [(id: git_oid, path: String)] = []
        let fileManager = FileManager.default
        guard let fanout = try? fileManager.contentsOfDirectory(atPath: objectsDirectory) else { return [] }
        for directory in fanout where directory.utf8.count == 2 && ObjectID(hex: directory + String(repeating: "0", count: 38)) != nil {
            guard let names = try? fileManager.contentsOfDirectory(atPath: objectsDirectory + "/" + directory) else { continue }
            for name in names where name.utf8.count == 38 {
                guard let id = ObjectID(hex: directory + name) else { continue }
                result.append((id.oid, objectsDirectory + "/" + directory + "/" + name))
            }
        }
        return result
    }

    /// Writes the new pack and removes the loose objects it holds. Older packs it fully
    /// holds are listed in `redundantPacks`, for ``removePacks(_:)`` to delete when no
    /// repository handle of ours can be reading them.
    func pack() throws(GitError) -> PackReport {
        let repo = try GitRepository(openAt: gitDirectory)
        let loose = looseObjects()
        var report = PackReport(looseBefore: loose.count, looseRemoved: 0, packedObjects: 0, packsRemoved: 0,
                                consolidated: false, redundantPacks: [])
        let existingIndexes = packIndexes()

        report.consolidated = existingIndexes.count >= consolidateAt
        let merging = report.consolidated ? smallPacks(of: existingIndexes) : []
        var objects = loose.map(\.id)
        if report.consolidated {
            for index in merging {
                guard let old = try? OnePackDatabase(indexPath: index), let ids = try? old.allIDs() else { continue }
                objects.append(contentsOf: ids)
            }
        }
        let plan = try PackPlan(objects: objects, repo: repo)
        report.packedObjects = plan.entries.count
        guard report.packedObjects > 0 else { return report }
        let name = try write(plan, repo: repo)
        let newIndex = packDirectory + "/pack-\(name).idx"

        // Everything below deletes only what the new pack is confirmed to hold.
        let newPack = try OnePackDatabase(indexPath: newIndex)
        for object in loose where newPack.contains(object.id) {
            if unlink(object.path) == 0 { report.looseRemoved += 1 }
        }
        for index in merging where index != newIndex {
            let base = String(index.dropLast(4))
            if FileManager.default.fileExists(atPath: base + ".keep") { continue }
            guard let old = try? OnePackDatabase(indexPath: index), let ids = try? old.allIDs(),
                  ids.allSatisfy({ newPack.contains($0) }) else { continue }
            report.redundantPacks.append(base)
        }
        return report
    }

    /// Writes the planned objects as one new pack: each as a delta on its planned base when
    /// the base is at most ``maxDeltaDepth`` deep and the delta is worth it, else whole.
    /// Returns the pack's name.
    private func write(_ plan: PackPlan, repo: GitRepository) throws(GitError) -> String {
        let odb = try repo.odb()
        let writer = try PackFileWriter(packDirectory: packDirectory, objectCount: plan.entries.count)
        var written: [PackObjectKey: (offset: Int, depth: Int)] = [:]
        written.reserveCapacity(plan.entries.count)
        // The bytes of objects later entries delta against, until their last use.
        var pendingBases: [PackObjectKey: [UInt8]] = [:]
        var uses = plan.uses
        for entry in plan.entries {
            var id = entry.id
            var object: OpaquePointer?
            try GitError.check(git_odb_read(&object, odb, &id), "read object \(ObjectID(id)) to pack")
            defer { git_odb_object_free(object) }
            let data = UnsafeRawBufferPointer(start: git_odb_object_data(object), count: git_odb_object_size(object))
            let key = PackObjectKey(id)
            if uses[key] != nil { pendingBases[key] = [UInt8](data) }

            var placed: (offset: Int, depth: Int)?
            if let base = entry.base.map(PackObjectKey.init) {
                if let stored = written[base], stored.depth < Self.maxDeltaDepth, let baseBytes = pendingBases[base],
                   let delta = baseBytes.withUnsafeBytes({ PrefixSuffixDelta.make(base: $0, target: data) }) {
                    placed = (try writer.appendDelta(delta, baseOffset: stored.offset), stored.depth + 1)
                }
                uses[base]! -= 1
                if uses[base] == 0 {
                    uses[base] = nil
                    pendingBases[base] = nil
                }
            }
            if placed == nil { placed = (try writer.appendWhole(type: git_odb_object_type(object), data: data), 0) }
            written[key] = placed
        }
        return try writer.finish()
    }

    /// The longest delta chain written: reading an object applies this many deltas at most.
    static let maxDeltaDepth = 32

    /// Deletes packs (paths without extension) listed by ``pack()``: index first, so no
    /// reader finds a pack whose data is gone.
    func removePacks(_ bases: [String]) -> Int {
        var removed = 0
        for base in bases {
            if unlink(base + ".idx") == 0 { removed += 1 }
            for suffix in [".pack", ".rev", ".bitmap"] { unlink(base + suffix) }
        }
        return removed
    }

    /// The packs to merge: those under half the size of the largest, or failing that all but
    /// the largest. An index's size grows with its object count.
    private func smallPacks(of indexes: [String]) -> [String] {
        let sized = indexes.map { index in
            (index, (try? FileManager.default.attributesOfItem(atPath: index)[.size] as? Int) ?? 0)
        }.sorted { $0.1 < $1.1 }
        guard let largest = sized.last?.1 else { return [] }
        let small = sized.filter { $0.1 * 2 < largest }.map(\.0)
        return small.count >= 2 ? small : sized.dropLast().map(\.0)
    }

    /// Paths of the `.idx` files now in the pack directory.
    private func packIndexes() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: packDirectory)) ?? []
        return names.filter { $0.hasPrefix("pack-") && $0.hasSuffix(".idx") }.map { packDirectory + "/" + $0 }
    }
}

/// An object database over exactly one pack file, to ask what that pack holds.
private final class OnePackDatabase {
    private let odb: OpaquePointer

    init(indexPath: String) throws(GitError) {
        var odb: OpaquePointer?
        try GitError.check(git_odb_new(&odb), "git_odb_new")
        var backend: OpaquePointer?
        let code = git_odb_backend_one_pack(&backend, indexPath)
        if code < 0 {
            let error = GitError.last(code, "open pack \(indexPath)")
            git_odb_free(odb)
            throw error
        }
        let added = git_odb_add_backend(odb, backend, 1)
        if added < 0 {
            let error = GitError.last(added, "add pack backend")
            // The backend struct is opaque without libgit2's sys headers; on this (never
            // seen) failure it is leaked rather than freed.
            git_odb_free(odb)
            throw error
        }
        self.odb = odb!
    }

    deinit { git_odb_free(odb) }

    func contains(_ id: git_oid) -> Bool {
        var id = id
        return git_odb_exists(odb, &id) == 1
    }

    func allIDs() throws(GitError) -> [git_oid] {
        final class Box { var ids: [git_oid] = [] }
        let box = Box()
        let code = git_odb_foreach(odb, { id, payload in
            guard let id, let payload else { return -1 }
            Unmanaged<Box>.fromOpaque(payload).takeUnretainedValue().ids.append(id.pointee)
            return 0
        }, Unmanaged.passUnretained(box).toOpaque())
        try GitError.check(code, "list pack objects")
        return box.ids
    }
}
