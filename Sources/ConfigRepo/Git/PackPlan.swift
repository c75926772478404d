import CGit2

/// The order in which ``GitPacker`` writes a set of objects, and the delta base of each.
///
/// Bases come from history, not from a search: for every commit of the set, the trees and
/// files it changed are paired, path by path, with the versions in its first parent
/// (descending only into subtrees whose ids differ). A new version deltas against the old
/// one when both are in the set; anything else is written whole. Every base is written
/// before the objects that use it, and no chain forms a cycle (a revert brings back an
/// older object, which then keeps the base it already had).
struct PackPlan {
    /// One object to write: its id, and the object earlier in the plan to delta against.
    struct Entry {
        var id: git_oid
        var base: git_oid?
    }

    /// Every object of the set, each exactly once, bases first.
    private(set) var entries: [Entry] = []
    /// How many entries use each base, so the writer can drop a base's bytes after the last.
    private(set) var uses: [PackObjectKey: Int] = [:]

    /// Plans `objects` (ids of the repository's objects; duplicates are ignored).
    init(objects: [git_oid], repo: GitRepository) throws(GitError) {
        var builder = Builder(members: Set(objects.map(PackObjectKey.init)), repo: repo)
        try builder.pairCommits(objects)
        var emitted: Set<PackObjectKey> = []
        emitted.reserveCapacity(builder.members.count)
        for id in builder.touched + objects {
            var chain: [PackObjectKey] = []
            var next: PackObjectKey? = PackObjectKey(id)
            while let key = next, !emitted.contains(key), builder.members.contains(key) {
                chain.append(key)
                emitted.insert(key)
                next = builder.baseOf[key]
            }
            for key in chain.reversed() {
                let base = builder.baseOf[key]
                entries.append(Entry(id: key.oid, base: base?.oid))
                if let base { uses[base, default: 0] += 1 }
            }
        }
    }

    /// The walk that pairs new versions with old ones.
    private struct Builder {
        let members: Set<PackObjectKey>
        let repo: GitRepository
        var baseOf: [PackObjectKey: PackObjectKey] = [:]
        /// Objects met by the walk, in the order met (older commits first).
        var touched: [git_oid] = []

        init(members: Set<PackObjectKey>, repo: GitRepository) {
            self.members = members
            self.repo = repo
        }

        /// Pairs the trees of every commit in the set with its first parent's, oldest
        /// commit first so bases are older than their targets.
        mutating func pairCommits(_ objects: [git_oid]) throws(GitError) {
            let odb = try repo.odb()
            var commits: [PackObjectKey: (tree: git_oid, parent: git_oid?)] = [:]
            for object in objects {
                var id = object, size = 0, type = GIT_OBJECT_INVALID
                guard git_odb_read_header(&size, &type, odb, &id) == 0, type == GIT_OBJECT_COMMIT else { continue }
                commits[PackObjectKey(object)] = try repo.withCommit(object) { commit throws(GitError) in
                    (git_commit_tree_id(commit).pointee, git_commit_parentcount(commit) > 0 ? git_commit_parent_id(commit, 0)?.pointee : nil)
                }
            }
            // Parents before children: a depth-first walk along first parents in the set.
            var ordered: [PackObjectKey] = []
            var visited: Set<PackObjectKey> = []
            for start in commits.keys {
                var stack: [PackObjectKey] = []
                var next: PackObjectKey? = start
                while let key = next, let commit = commits[key], visited.insert(key).inserted {
                    stack.append(key)
                    next = commit.parent.map(PackObjectKey.init)
                }
                ordered.append(contentsOf: stack.reversed())
            }
            for key in ordered {
                let commit = commits[key]!
                touched.append(key.oid)
                let oldTree = try commit.parent.map { parent throws(GitError) in try repo.treeID(ofCommit: parent) }
                try pair(old: oldTree, new: commit.tree)
            }
        }

        /// Pairs a tree with its older version, and their entries of the same name.
        private mutating func pair(old: git_oid?, new: git_oid) throws(GitError) {
            let newKey = PackObjectKey(new)
            guard members.contains(newKey) else { return }  // Stored before; so is what it holds.
            touched.append(new)
            guard let old, !git_oid.same(old, new) else { return }
            propose(PackObjectKey(old), for: newKey)
            let before = try repo.entries(ofTree: old)
            for (name, entry) in try repo.entries(ofTree: new) {
                guard let previous = before[name], !git_oid.same(previous.id, entry.id) else { continue }
                if entry.isTree && previous.isTree {
                    try pair(old: previous.id, new: entry.id)
                } else if entry.isBlob && previous.isBlob {
                    touched.append(entry.id)
                    propose(PackObjectKey(previous.id), for: PackObjectKey(entry.id))
                }
            }
        }

        /// Makes `base` the base of `target` when both are in the set, `target` has none
        /// yet, and `base`'s own chain is shorter than ``GitPacker/maxDeltaDepth`` and does
        /// not lead back to `target` (so the walk here stays short, and no cycle forms).
        private mutating func propose(_ base: PackObjectKey, for target: PackObjectKey) {
            guard members.contains(base), members.contains(target), baseOf[target] == nil else { return }
            var link: PackObjectKey? = base
            var depth = 0
            while let current = link {
                depth += 1
                if current == target || depth >= GitPacker.maxDeltaDepth { return }
                link = baseOf[current]
            }
            baseOf[target] = base
        }
    }
}

/// A `git_oid` as a dictionary key.
struct PackObjectKey: Hashable {
    private let high: UInt64
    private let middle: UInt64
    private let low: UInt32

    init(_ oid: git_oid) {
        var oid = oid
        (high, middle, low) = withUnsafeBytes(of: &oid.id) { raw in
            (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
             raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
             raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        }
    }

    var oid: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { raw in
            raw.storeBytes(of: high, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: middle, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: low, toByteOffset: 16, as: UInt32.self)
        }
        return oid
    }
}
