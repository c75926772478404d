import Foundation

/// What one packing run did.
public struct PackReport: Sendable, Hashable {
    /// Loose objects before packing.
    public var looseBefore = 0
    /// Loose objects removed because the new pack holds them.
    public var looseRemoved = 0
    /// Objects written into the new pack.
    public var packedObjects = 0
    /// Packs removed because the new pack holds every object they had.
    public var packsRemoved = 0
}

/// Merges packs, and loose objects others wrote, into one bigger pack with deltas between
/// successive versions of a path (``PackPlan``, ``PrefixSuffixDelta``).
///
/// Every commit the store makes is a small pack of its own (``ObjectBatch``), so packs are
/// merged by size class, as a log-structured store compacts its runs: once ``fanIn`` packs
/// of one class (object counts within a factor of 8) exist, they become one pack of the
/// next class. Each object is rewritten once per class it climbs (about five times over
/// 100,000 commits), at most `fanIn - 1` packs of each class stay, and the big first pack
/// is rewritten only when a class below it fills. Objects are kept whether reachable or
/// not, so nothing is lost; the replaced packs and loose files are deleted only after the
/// new pack is in place and published.
struct PackMerger {
    let database: ObjectDatabase

    /// The longest delta chain written: reading an object applies this many deltas at most.
    static let maxDeltaDepth = 32
    /// How many packs of one size class are merged together.
    static let fanIn = 8

    /// A pack's size class: ⌊log₂ of its object count⌋ in steps of 3 (a factor of 8).
    static func sizeClass(ofObjectCount count: Int) -> Int {
        (Int.bitWidth - max(1, count).leadingZeroBitCount - 1) / 3
    }

    /// The packs to merge next: every pack of the smallest size class that has ``fanIn``
    /// packs or more (kept packs aside); nil when no class has.
    func nextMerge() -> [PackFile]? {
        let classes = Dictionary(grouping: database.currentPacks) { Self.sizeClass(ofObjectCount: $0.objectCount) }
        for sizeClass in classes.keys.sorted() where classes[sizeClass]!.count >= Self.fanIn {
            let packs = classes[sizeClass]!.filter { !$0.isKept }
            if packs.count >= Self.fanIn { return packs }
        }
        return nil
    }

    /// Every pack but kept ones: what a full repack merges.
    func allPacks() -> [PackFile] {
        database.currentPacks.filter { !$0.isKept }
    }

    /// Writes one pack with every object of `packs` and `loose`, puts it in their place and
    /// deletes them. Returns what it did (nothing when there was nothing to merge).
    func merge(_ packs: [PackFile], loose: [(id: ObjectID, path: String)]) throws(GitError) -> PackReport {
        var report = PackReport(looseBefore: loose.count)
        guard packs.count + loose.count > (loose.isEmpty ? 1 : 0) else { return report }
        // Where each object is read from, and which are commits (their trees pair versions).
        var sources: [ObjectID: Source] = [:]
        var objects: [ObjectID] = []
        var commits: [ObjectID] = []
        for pack in packs {
            for position in 0..<pack.index.count {
                let id = pack.index.id(at: position)
                let offset = pack.index.offset(at: position)
                guard sources.updateValue(.packed(pack, offset), forKey: id) == nil else { continue }
                objects.append(id)
                if try pack.objectType(at: offset) == .commit { commits.append(id) }
            }
        }
        for object in loose where sources[object.id] == nil {
            guard let read = try LooseObjects(directory: database.directories[0]).read(object.id) else { continue }
            sources[object.id] = .loose(read)
            objects.append(object.id)
            if read.type == .commit { commits.append(object.id) }
        }
        guard !objects.isEmpty else { return report }
        let plan = try PackPlan(objects: objects, commits: commits, reader: database)
        let pack = try write(plan, sources: sources)
        report.packedObjects = plan.entries.count

        // Everything below removes only what the new pack is confirmed to hold.
        database.replace(packs, with: pack)
        for object in loose where pack.contains(object.id) {
            if unlink(object.path) == 0 { report.looseRemoved += 1 }
        }
        for old in packs where old.basePath != pack.basePath && old.ids.allSatisfy(pack.contains) {
            // Index first, so no reader finds a pack whose data is gone. Our own files become
            // spares (see ``SpareFiles``) rather than freed inodes.
            guard access(old.basePath + ".idx", F_OK) == 0 else { continue }
            report.packsRemoved += 1
            for suffix in [".idx", ".pack"] {
                if let spares = database.spares { spares.retire(old.basePath + suffix) } else { unlink(old.basePath + suffix) }
            }
            for suffix in [".rev", ".bitmap"] { unlink(old.basePath + suffix) }
        }
        removeLeftovers()
        return report
    }

    private enum Source {
        case packed(PackFile, Int)
        case loose(GitObject)
    }

    /// Writes the planned objects as one new pack: each as a delta on its planned base when
    /// the base is at most ``maxDeltaDepth`` deep and the delta is worth it, else whole.
    private func write(_ plan: PackPlan, sources: [ObjectID: Source]) throws(GitError) -> PackFile {
        let writer = try PackFileWriter(packDirectory: database.packDirectory, objectCount: plan.entries.count, deflater: Deflater(),
                                        spares: database.spares)
        var written: [ObjectID: (offset: Int, depth: Int)] = [:]
        written.reserveCapacity(plan.entries.count)
        // The bytes of objects later entries delta against, until their last use.
        var pendingBases: [ObjectID: [UInt8]] = [:]
        var uses = plan.uses
        for entry in plan.entries {
            let object: GitObject
            switch sources[entry.id] {
            case .packed(let pack, let offset)?: object = try pack.object(at: offset, cache: database.deltaBases)
            case .loose(let read)?: object = read
            case nil: object = try database.read(entry.id)
            }
            if uses[entry.id] != nil { pendingBases[entry.id] = object.bytes }

            var placed: (offset: Int, depth: Int)?
            if let base = entry.base {
                if let stored = written[base], stored.depth < Self.maxDeltaDepth, let baseBytes = pendingBases[base],
                   let delta = baseBytes.withUnsafeBytes({ b in object.bytes.withUnsafeBytes { PrefixSuffixDelta.make(base: b, target: $0) } }) {
                    placed = (try writer.appendDelta(entry.id, delta: delta, baseOffset: stored.offset), stored.depth + 1)
                }
                uses[base]! -= 1
                if uses[base] == 0 {
                    uses[base] = nil
                    pendingBases[base] = nil
                }
            }
            if placed == nil {
                placed = (try object.bytes.withGitBytes({ (bytes: UnsafeRawBufferPointer) throws(GitError) in
                    try writer.appendWhole(entry.id, type: object.type, data: bytes)
                }), 0)
            }
            written[entry.id] = placed
        }
        return try writer.finish()
    }

    /// Removes what a writer killed mid-pack left: temporary files, and a pack whose index
    /// never appeared, once an hour old (a live writer finishes in well under that).
    private func removeLeftovers() {
        let directory = database.packDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let cutoff = Date().addingTimeInterval(-3600)
        let indexes = Set(names.filter { $0.hasSuffix(".idx") }.map { $0.dropLast(4) })
        for name in names {
            let leftover = name.hasPrefix("tmp_pack_") || name.hasPrefix("tmp_idx_")
                || (name.hasPrefix("pack-") && name.hasSuffix(".pack") && !indexes.contains(name.dropLast(5)))
            guard leftover,
                  let modified = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + name))?[.modificationDate] as? Date,
                  modified < cutoff else { continue }
            unlink(directory + "/" + name)
        }
    }
}
