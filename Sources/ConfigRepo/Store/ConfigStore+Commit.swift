import Foundation

extension ConfigStore {
    /// Applies `changes` as one commit on the tracked branch, authored and committed by
    /// `author`, and moves the branch with a compare-and-swap.
    ///
    /// Each change's expected version is checked against the branch head; a stale one fails
    /// with `.conflict` carrying the current version, and nothing is written. If the branch
    /// moved meanwhile (another writer, `git push`), the change set is re-checked and
    /// re-applied on the new head, up to ``maxAttempts`` times. A change set that changes
    /// nothing makes no commit: the result is the head with `isUnchangedHead` set. Deleting
    /// an absent file with `.any` is a no-op. Afterwards the working tree follows the
    /// branch for the changed paths only (see ``lastWorkingTreeError``).
    ///
    /// With `mergeParents` the commit is a merge: they follow the head as its other parents,
    /// and the commit is made even when the tree does not change (the branch is merged).
    public func commit(_ changes: [FileChange], author: Signature, message: String,
                       mergeParents: [ObjectID] = []) throws(StoreError) -> CommitInfo {
        let edits = try Self.validate(changes)
        let result = try withWriter { writer in
            let batch = ObjectBatch(database: objects, hasher: writer.hasher)
            // Blobs do not depend on the head: hash them once.
            let treeEdits = zip(changes, edits).map { change, components in
                GitTreeEdit(components: components, blob: change.content.map { batch.add(.blob, $0) })
            }
            return try commitWithRetry(writer, batch, author: author, message: message, mergeParents: mergeParents) { _, headTree in
                var changed: [String] = []
                for (change, edit) in zip(changes, treeEdits) {
                    let current = try Self.check(change, in: headTree, reader: batch)
                    switch (current, edit.blob) {
                    case (nil, nil): continue
                    case let (current?, new?) where current == new: continue
                    default: changed.append(change.path)
                    }
                }
                return (try batch.applyEdits(to: headTree, treeEdits), changed.sorted())
            }
        }
        if !result.isUnchangedHead { commitLanded() }
        return result
    }

    /// Checks a change's expected version against the tree of the head; returns the
    /// current blob id.
    private static func check(_ change: FileChange, in headTree: ObjectID?, reader: some ObjectReader) throws -> ObjectID? {
        var current: ObjectID?
        if let headTree {
            if let entry = try reader.entry(inTree: headTree, path: change.path) {
                guard entry.isBlob else { throw StoreError.invalidPath(change.path) }
                current = entry.id
            } else {
                // A file where the path needs a directory would be silently replaced.
                var prefix = Substring(change.path)
                while let slash = prefix.lastIndex(of: "/") {
                    prefix = prefix[..<slash]
                    if let entry = try reader.entry(inTree: headTree, path: String(prefix)) {
                        if entry.isBlob { throw StoreError.invalidPath(change.path) }
                        break
                    }
                }
            }
        }
        switch change.expected {
        case .any:
            return current
        case .absent:
            if current == nil { return current }
        case .version(let expected):
            if current == expected { return current }
        }
        throw StoreError.conflict(path: change.path, expected: change.expected, current: current)
    }

    /// Splits and checks every path: relative, no empty, `.` or `..` components, no `.git`,
    /// no NUL, each path once, and no path inside another one of the set.
    static func validate(_ changes: [FileChange]) throws(StoreError) -> [[Substring]] {
        var seen: Set<String> = []
        var result: [[Substring]] = []
        result.reserveCapacity(changes.count)
        for change in changes {
            let components = change.path.split(separator: "/", omittingEmptySubsequences: false)
            let bad = change.path.isEmpty || change.path.utf8.contains(0) || components.contains { component in
                component.isEmpty || component == "." || component == ".." || component.lowercased() == ".git"
            }
            if bad || !seen.insert(change.path).inserted { throw .invalidPath(change.path) }
            result.append(components)
        }
        for path in seen {
            var prefix = Substring(path)
            while let slash = prefix.lastIndex(of: "/") {
                prefix = prefix[..<slash]
                if seen.contains(String(prefix)) { throw .invalidPath(path) }
            }
        }
        return result
    }

    /// The compare-and-swap loop shared by commits and reverts. `buildTree` gets the head
    /// and its tree (nil for an unborn branch), adds the new trees to `batch` and returns the
    /// new root tree, with the changed paths when it knows them (else they are diffed); it
    /// runs again on the new head whenever the branch moved under us. Call with the writer
    /// lock held. `mergeParents` follow the head as the commit's other parents.
    ///
    /// The commit's objects are written as one pack before the branch moves, so no reader
    /// (in this process or the git CLI) ever finds the branch on a commit it cannot read.
    func commitWithRetry(_ writer: Writer, _ batch: ObjectBatch, author: Signature, message: String, mergeParents: [ObjectID] = [],
                         buildTree: (ObjectID?, ObjectID?) throws -> (ObjectID, [String]?)) throws -> CommitInfo {
        var author = author
        author.date = Date(timeIntervalSince1970: (author.date ?? Date()).timeIntervalSince1970.rounded(.down))
        // A moving branch costs an attempt; a locked one costs time only, and the wait
        // outlasts `staleLockAge` so a lock left by a killed writer is cleared, not fatal.
        var attempt = 0
        let lockWaitLimit = Date().addingTimeInterval(Self.staleLockAge + 5)
        while attempt < maxAttempts {
            attempt += 1
            let head = try references.target(of: referenceName)
            let headTree = try head.map { try batch.treeID(ofCommit: $0) }
            let (newTree, knownPaths) = try buildTree(head, headTree)
            if let head, let headTree, newTree == headTree, mergeParents.isEmpty {
                var info = try batch.commitInfo(head)
                info.isUnchangedHead = true
                return info
            }
            let parents = (head.map { [$0] } ?? []) + mergeParents
            let commit = GitCommit(tree: newTree, parents: parents, author: author, committer: author, message: message)
            let commitID = batch.add(.commit, try commit.serialized())
            try batch.flush(deflater: writer.deflater)
            let subject = message.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
            switch try references.compareAndSwap(referenceName, to: commitID, from: head, committer: author,
                                                  logMessage: "commit: \(subject)") {
            case .updated:
                let paths = try knownPaths ?? objects.changedPaths(from: headTree, to: newTree)
                pathHistory.record(commitID, head.map { ($0, paths) } ?? (nil, nil))
                if let follower {
                    follower.schedule()
                } else {
                    followWorkingTree(from: headTree, to: newTree, paths: paths)
                }
                return CommitInfo(id: commitID, author: author, message: message, parents: parents)
            case .moved:
                continue
            case .locked:
                // Someone (often the git CLI) holds the ref lock: back off a little. A lock
                // file older than `staleLockAge` was left by a writer that died mid-update
                // (git holds a ref lock for milliseconds), so it is removed.
                removeStaleReferenceLock()
                guard Date() < lockWaitLimit else { throw StoreError.tooManyRetries(attempt) }
                attempt -= 1
                usleep(2_000)
            }
        }
        throw StoreError.tooManyRetries(maxAttempts)
    }

    /// Removes `<ref>.lock` when it is older than ``staleLockAge`` seconds.
    private func removeStaleReferenceLock() {
        let lockPath = references.gitDirectory + referenceName + ".lock"
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: lockPath),
              let modified = attributes[.modificationDate] as? Date,
              Date().timeIntervalSince(modified) > Self.staleLockAge else { return }
        unlink(lockPath)
    }

    /// Age in seconds after which a branch lock file counts as left by a dead writer.
    static let staleLockAge: TimeInterval = 5

    /// Updates the working tree and index for the paths that changed between two trees.
    /// Failures do not undo the commit: they are kept in ``lastWorkingTreeError`` and the
    /// checkout is retried in the background for a while.
    func followWorkingTree(from old: ObjectID?, to new: ObjectID, paths: [String]) {
        do {
            try libgit2Handle().checkout(target: new, baseline: old, paths: paths)
            workingTreeError.error = nil
        } catch {
            workingTreeError.error = error
            WorkingTreeFollower.repair(path: path, referenceName: referenceName, objects: objects, references: references, baseline: old,
                                       paths: paths, errors: workingTreeError)
        }
    }
}
