import Foundation

/// What replaying commits onto another head gave.
public enum ReplayOutcome: Sendable {
    /// Every commit was replayed; `head` is the last new commit (`onto` when every change was
    /// already there), `commits` the new ones, oldest first.
    case replayed(head: ObjectID, commits: [ObjectID])
    /// `commit` changed files that the new base changed differently: nothing was replayed.
    case conflict(commit: CommitInfo, paths: [String])
}

extension ConfigStore {
    /// The commits on the first-parent line from `head` back to (not including) `ancestor`,
    /// oldest first; nil when that line does not reach `ancestor` within `limit` commits.
    public func commits(after ancestor: ObjectID, upTo head: ObjectID, limit: Int = 10_000) throws(StoreError) -> [CommitInfo]? {
        try reading {
            var line: [CommitInfo] = []
            var current = head
            while current != ancestor {
                guard line.count < limit else { return nil }
                let info = try objects.commitInfo(current)
                line.append(info)
                guard let parent = info.parents.first else { return nil }
                current = parent
            }
            return line.reversed()
        }
    }

    /// Replays `commits` (oldest first, each the first-parent child of the one before) onto
    /// `base`, as a rebase does, file by file: a file a commit changed is taken from it when the
    /// new base still has the version the commit started from, kept when the base already has
    /// the commit's version, and a conflict otherwise (the same object changed on both sides).
    /// Authors, dates and messages are kept; the committer is `committer`, now. A commit whose
    /// changes are all in the base already is dropped. The new commits are written, but no
    /// branch moves: the caller gates them and moves its branch (``moveBranch(to:from:logMessage:)``).
    public func replay(_ commits: [CommitInfo], onto base: ObjectID, committer: Signature) throws(StoreError) -> ReplayOutcome {
        var committer = committer
        committer.date = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        return try withWriter { writer in
            let batch = ObjectBatch(database: objects, hasher: writer.hasher)
            var head = base
            var headTree = try batch.treeID(ofCommit: base)
            var made: [ObjectID] = []
            for commit in commits {
                // A merge is replayed as what it changed on its first parent.
                let before = try commit.parents.first.map { try batch.treeID(ofCommit: $0) }
                let after = try batch.treeID(ofCommit: commit.id)
                var edits: [GitTreeEdit] = []
                var conflicts: [String] = []
                for path in try batch.changedPaths(from: before, to: after) {
                    let theirs = try batch.blobID(inTree: headTree, path: path)
                    let ours = try batch.blobID(inTree: after, path: path)
                    if theirs == ours { continue }
                    guard theirs == (try before.flatMap { try batch.blobID(inTree: $0, path: path) }) else {
                        conflicts.append(path)
                        continue
                    }
                    edits.append(GitTreeEdit(components: path.split(separator: "/"), blob: ours))
                }
                if !conflicts.isEmpty { return ReplayOutcome.conflict(commit: commit, paths: conflicts.sorted()) }
                if edits.isEmpty { continue }
                let tree = try batch.applyEdits(to: headTree, edits)
                let replayed = GitCommit(tree: tree, parents: [head], author: commit.author, committer: committer, message: commit.message)
                head = batch.add(.commit, try replayed.serialized())
                headTree = tree
                made.append(head)
            }
            _ = try batch.flush(deflater: writer.deflater)
            return ReplayOutcome.replayed(head: head, commits: made)
        }
    }
}
