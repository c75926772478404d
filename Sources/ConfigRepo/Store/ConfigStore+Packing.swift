import Foundation

extension ConfigStore {
    /// Wakes the watchers, counts a landed commit and, every ``packCheckInterval`` commits,
    /// starts a background packer when none is running. Never blocks the writer.
    func commitLanded() {
        headMoved.notify()
        guard packCheckInterval > 0 else { return }
        lock.lock()
        state.lastCommitAt = DispatchTime.now().uptimeNanoseconds
        state.commitsSincePackCheck += 1
        let due = state.commitsSincePackCheck >= packCheckInterval && !state.packing
        if due {
            state.commitsSincePackCheck = 0
            state.packing = true
        }
        lock.unlock()
        guard due else { return }
        let thread = Thread { [self] in
            packWhenQuiet()
            lock.lock()
            state.packing = false
            lock.unlock()
        }
        thread.name = "ConfigStore packer"
        thread.start()
    }

    /// Packs once more than ``packThreshold`` objects are loose and no commit has landed for
    /// ``packQuietPeriod`` seconds, or at once above ``packHardLimit``. Packing deletes thousands
    /// of loose files, and on ext4 creating files right after a mass delete is slow, so during a
    /// burst the writers keep the disk to themselves.
    private func packWhenQuiet() {
        var loose = looseObjectCount()
        var counted = DispatchTime.now().uptimeNanoseconds
        while loose > packThreshold {
            lock.lock()
            let idle = Double(DispatchTime.now().uptimeNanoseconds - state.lastCommitAt) / 1e9
            lock.unlock()
            if idle >= packQuietPeriod || loose > packHardLimit {
                _ = try? packIfNeeded(looseThreshold: packThreshold)
                return
            }
            Thread.sleep(forTimeInterval: min(packQuietPeriod - idle, 0.25))
            // Counting walks 256 folders; while waiting, a recount every two seconds is enough.
            if DispatchTime.now().uptimeNanoseconds &- counted > 2_000_000_000 {
                loose = looseObjectCount()
                counted = DispatchTime.now().uptimeNanoseconds
            }
        }
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
