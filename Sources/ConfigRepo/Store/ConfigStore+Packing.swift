import Foundation

extension ConfigStore {
    /// Wakes the watchers and, every ``packCheckInterval`` commits, starts the background
    /// packer when it has work and is not running. Never blocks the writer.
    func commitLanded() {
        headMoved.notify()
        guard packCheckInterval > 0 else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let (due, scanLoose) = packing.withLock { state -> (Bool, Bool) in
            state.commitsSinceCheck += 1
            guard state.commitsSinceCheck >= packCheckInterval, !state.running else { return (false, false) }
            state.commitsSinceCheck = 0
            let scanLoose = now &- state.lastLooseScan > Self.looseScanInterval
            state.running = scanLoose || PackMerger(database: objects).nextMerge() != nil
            if scanLoose { state.lastLooseScan = now }
            return (state.running, scanLoose)
        }
        guard due else { return }
        let thread = Thread { [self] in
            // Loose objects come from others (`git commit` in the working tree, a small push,
            // an older version of this store): packed once there are enough.
            if scanLoose {
                let loose = objects.loose.list()
                if loose.count > Self.looseThreshold { _ = try? PackMerger(database: objects).merge([], loose: loose) }
            }
            // Merges until no size class is full; a class the merges fill is merged too.
            while let packs = PackMerger(database: objects).nextMerge() {
                guard (try? PackMerger(database: objects).merge(packs, loose: [])) != nil else { break }
            }
            // Merges return spare files in batches; a few in reserve spare the next commits
            // from creating files of their own.
            objects.spares?.replenish(to: Self.spareReserve)
            packing.withLock { $0.running = false }
        }
        thread.name = "ConfigStore packer"
        thread.start()
    }
}

extension ConfigStore {
    /// Spare files the background packer keeps ready: what twenty commits use (with 24,
    /// commits still created files between merges: 2.6 % of the burst's main thread).
    static let spareReserve = 64
    /// The background packer lists loose objects at most this often (nanoseconds)…
    static let looseScanInterval: UInt64 = 60_000_000_000
    /// …and packs them when there are more than this many.
    static let looseThreshold = 2_000

    /// The number of loose objects (written by the git CLI; the store writes packs).
    public func looseObjectCount() -> Int {
        objects.loose.list().count
    }

    /// The packs of the repository now.
    public var packCount: Int { objects.currentPacks.count }

    /// Packs the loose objects when there are more than `looseThreshold`, then merges packs
    /// as the background packer does, until no size class is full. Returns what was done, or
    /// nil when nothing was. Runs beside writers, waiting for a background run to finish.
    @discardableResult
    public func packIfNeeded(looseThreshold: Int = 2000) throws(StoreError) -> PackReport? {
        try runPacker { merger in
            var report: PackReport?
            let loose = objects.loose.list()
            if loose.count > looseThreshold { report = try merger.merge([], loose: loose) }
            while let packs = merger.nextMerge() {
                let merged = try merger.merge(packs, loose: [])
                report = (report ?? PackReport()).adding(merged)
            }
            return report
        }
    }

    /// Merges every pack (except `.keep` ones) and every loose object into one pack.
    @discardableResult
    public func packAll() throws(StoreError) -> PackReport? {
        try runPacker { merger in
            let loose = objects.loose.list()
            let packs = merger.allPacks()
            guard packs.count > 1 || !loose.isEmpty else { return nil }
            return try merger.merge(packs, loose: loose)
        }
    }

    /// Returns once no packer of this store is running. A pack merge deletes the packs it
    /// merged, so a reader that listed them a moment before (`git fsck`, a backup) can
    /// see one vanish; waiting here gives such a reader a quiet moment.
    public func waitForPacker() {
        while packing.withLock({ $0.running }) { usleep(5_000) }
    }

    /// Runs `body` as the one packer of this store: waits while the background one runs.
    private func runPacker(_ body: (PackMerger) throws -> PackReport?) throws(StoreError) -> PackReport? {
        while !packing.withLock({ state in
            guard !state.running else { return false }
            state.running = true
            return true
        }) {
            usleep(5_000)
        }
        defer { packing.withLock { $0.running = false } }
        do { return try body(PackMerger(database: objects)) } catch { throw StoreError(error) }
    }
}

extension PackReport {
    /// Two runs' counts added up.
    func adding(_ other: PackReport) -> PackReport {
        PackReport(looseBefore: looseBefore + other.looseBefore, looseRemoved: looseRemoved + other.looseRemoved,
                   packedObjects: packedObjects + other.packedObjects, packsRemoved: packsRemoved + other.packsRemoved)
    }
}
