/// The order in which ``PackMerger`` writes a set of objects, and the delta base of each.
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
        var id: ObjectID
        var base: ObjectID?
    }

    /// Every object of the set, each exactly once, bases first.
    private(set) var entries: [Entry] = []
    /// How many entries use each base, so the writer can drop a base's bytes after the last.
    private(set) var uses: [ObjectID: Int] = [:]

    /// Plans `objects` (duplicates are ignored); `commits` are those of them that are commits.
    init(objects: [ObjectID], commits: [ObjectID], reader: some ObjectReader) throws(GitError) {
        var builder = Builder(members: Set(objects), reader: reader)
        try builder.pairCommits(commits)
        var emitted: Set<ObjectID> = []
        emitted.reserveCapacity(builder.members.count)
        for id in builder.touched + objects {
            var chain: [ObjectID] = []
            var next: ObjectID? = id
            while let key = next, !emitted.contains(key), builder.members.contains(key) {
                chain.append(key)
                emitted.insert(key)
                next = builder.baseOf[key]
            }
            for key in chain.reversed() {
                let base = builder.baseOf[key]
                entries.append(Entry(id: key, base: base))
                if let base { uses[base, default: 0] += 1 }
            }
        }
    }

    /// The walk that pairs new versions with old ones.
    private struct Builder<Reader: ObjectReader> {
        let members: Set<ObjectID>
        let reader: Reader
        var baseOf: [ObjectID: ObjectID] = [:]
        /// Objects met by the walk, in the order met (older commits first).
        var touched: [ObjectID] = []

        init(members: Set<ObjectID>, reader: Reader) {
            self.members = members
            self.reader = reader
        }

        /// Pairs the trees of every commit with its first parent's, oldest commit first so
        /// bases are older than their targets.
        mutating func pairCommits(_ ids: [ObjectID]) throws(GitError) {
            var commits: [ObjectID: (tree: ObjectID, parent: ObjectID?)] = [:]
            for id in ids {
                commits[id] = try GitCommit.treeAndFirstParent(id, from: reader)
            }
            // Parents before children: a depth-first walk along first parents in the set.
            var ordered: [ObjectID] = []
            var visited: Set<ObjectID> = []
            for start in ids {
                var stack: [ObjectID] = []
                var next: ObjectID? = start
                while let key = next, let commit = commits[key], visited.insert(key).inserted {
                    stack.append(key)
                    next = commit.parent
                }
                ordered.append(contentsOf: stack.reversed())
            }
            for key in ordered {
                let commit = commits[key]!
                touched.append(key)
                // A parent outside the set may be gone from a repository that was cut short;
                // its new trees are then written whole.
                let oldTree = try? commit.parent.map { parent throws(GitError) in try reader.treeID(ofCommit: parent) }
                try pair(old: oldTree ?? nil, new: commit.tree)
            }
        }

        /// Pairs a tree with its older version, and their entries of the same name.
        private mutating func pair(old: ObjectID?, new: ObjectID) throws(GitError) {
            guard members.contains(new) else { return }  // Stored before; so is what it holds.
            touched.append(new)
            guard let old, old != new else { return }
            propose(old, for: new)
            var subtrees: [(ObjectID, ObjectID)] = []
            try GitTree.differences(try GitTree(old, from: reader), try GitTree(new, from: reader)) { _, previous, entry in
                guard let previous, let entry else { return }
                if entry.isTree && previous.isTree {
                    subtrees.append((previous.id, entry.id))
                } else if entry.isBlob && previous.isBlob {
                    touched.append(entry.id)
                    propose(previous.id, for: entry.id)
                }
            }
            for (previous, entry) in subtrees { try pair(old: previous, new: entry) }
        }

        /// Makes `base` the base of `target` when both are in the set, `target` has none
        /// yet, and `base`'s own chain is shorter than ``PackMerger/maxDeltaDepth`` and does
        /// not lead back to `target` (so the walk here stays short, and no cycle forms).
        private mutating func propose(_ base: ObjectID, for target: ObjectID) {
            guard members.contains(base), members.contains(target), baseOf[target] == nil else { return }
            var link: ObjectID? = base
            var depth = 0
            while let current = link {
                depth += 1
                if current == target || depth >= PackMerger.maxDeltaDepth { return }
                link = baseOf[current]
            }
            baseOf[target] = base
        }
    }
}
