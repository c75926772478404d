import Foundation

extension ConfigStore {
    /// Wakes the watchers, counts a landed commit and, every ``packCheckInterval`` commits, starts a background
    /// pack when none is running. Never blocks the writer.
    func commitLanded() {
        headMoved.notify()
        guard packCheckInterval > 0 else { return }
        lock.lock()
        state.commitsSincePackCheck += 1
        let due = state.commitsSincePackCheck >= packCheckInterval && !state.packing
        if due {
            state.commitsSincePackCheck = 0
            state.packing = true
        }
        lock.unlock()
        guard due else { return }
        let thread = Thread { [self] in
            _ = try? packIfNeeded(looseThreshold: packThreshold)
            lock.lock()
            state.packing = false
            lock.unlock()
        }
        thread.name = "ConfigStore packer"
        thread.start()
    }
}

extension ConfigStore {
    /// The number of loose objects in the repository.
    public func looseObjectCount() -> Int {
        GitPacker(gitDirectory: gitDirectory).looseObjects().count
    }

    /// Packs the repository when it has more than `looseThreshold` loose objects: the loose
    /// objects into a new pack, or, once `consolidateAtPacks` packs exist, everything into
    /// one (see ``GitPacker``). Returns what was done, or nil when below the threshold. Runs beside
    /// writers: the store's locks are taken only to delete superseded packs and reopen the
    /// handles. Runs one at a time per store (a second call waits for the first).
    @discardableResult
    public func packIfNeeded(looseThreshold: Int = 2000, consolidateAtPacks: Int = 8) throws(StoreError) -> PackReport? {
        // One packer at a time: two would each write a full pack and race on the deletes.
        packLock.lock()
        defer { packLock.unlock() }
        var packer = GitPacker(gitDirectory: gitDirectory)
        packer.consolidateAt = consolidateAtPacks
        guard packer.looseObjects().count > looseThreshold else { return nil }
        var report: PackReport
        do { report = try packer.pack() } catch { throw StoreError.git(error) }
        // Old packs go while no call of ours runs, and the handle is reopened at once so
        // it never looks for them again.
        let redundant = report.redundantPacks
        report.packsRemoved = withAllHandlesClosed { packer.removePacks(redundant) }
        return report
    }

    /// The `.git` directory with a trailing `/`.
    var gitDirectory: String {
        (try? withReader { repo in repo.gitDirectory }) ?? path + "/.git/"
    }
}
