import ConfigRepo
import Foundation
import Synchronization

/// Renders the site into a directory: everything at start, then after each new head only the
/// pages that depend on what changed (`PageDependencies`). Updates are serialised.
public final class SiteBuilder: Sendable {
    public let library: TemplateLibrary
    public let directory: String
    /// The paths changed between two commits (the store answers this from git trees).
    public typealias ChangedPaths = @Sendable (_ from: ObjectID?, _ to: ObjectID) throws -> [String]
    private let changedPaths: ChangedPaths
    private let state = Mutex<State?>(nil)
    private let notices: TrustedHTML

    struct State: Sendable {
        var snapshot: Snapshot
        var index: SiteIndex
    }

    /// What one render did.
    public struct Report: Sendable, CustomStringConvertible {
        public var commit: ObjectID?
        public var written: Int
        public var removed: Int
        public var seconds: Double
        public var description: String {
            "\(written) pages written, \(removed) removed in \(String(format: "%.1f", seconds * 1000)) ms"
        }
    }

    public init(library: TemplateLibrary, directory: String, notices: TrustedHTML = PageRenderer.noticesMarker,
                changedPaths: @escaping ChangedPaths) {
        self.library = library
        self.directory = directory
        self.notices = notices
        self.changedPaths = changedPaths
    }

    /// The snapshot the files on disk show.
    public var renderedSnapshot: Snapshot? { state.withLock { $0?.snapshot } }

    /// Every page of the catalogue for a snapshot.
    public static func allPages(_ snapshot: Snapshot, index: SiteIndex) -> [PageKey] {
        var pages: [PageKey] = [.home]
        for kind in SiteKinds.all {
            for page in 1...index.pageCount(kind) { pages.append(.list(kind, page: page)) }
            for id in index.ids(kind) { pages.append(.detail(ObjectRef(kind, id))) }
        }
        for zone in snapshot.unordered(.zone) where zone.string("map_id") != nil {
            pages.append(.map(zoneID: zone.id))
        }
        return pages
    }

    /// Renders every page of `snapshot`, with `workers` threads.
    @discardableResult
    public func renderAll(_ snapshot: Snapshot, workers: Int = 2) throws -> Report {
        let started = Date()
        let index = SiteIndex(snapshot: snapshot)
        let renderer = PageRenderer(snapshot: snapshot, library: library, index: index, notices: notices)
        let pages = Self.allPages(snapshot, index: index)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let failure = Mutex<(any Error)?>(nil)
        let count = max(1, workers)
        DispatchQueue.concurrentPerform(iterations: count) { worker in
            var made = Set<String>()
            for position in stride(from: worker, to: pages.count, by: count) {
                do {
                    if let html = try renderer.render(pages[position]) {
                        try PageFiles.write(html, to: directory + "/" + pages[position].file, knownDirectories: &made)
                    }
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                    return
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        state.withLock { $0 = State(snapshot: snapshot, index: index) }
        return Report(commit: snapshot.commit, written: pages.count, removed: 0, seconds: Date().timeIntervalSince(started))
    }

    /// Brings the files from the rendered snapshot to `snapshot`, re-rendering only affected pages.
    /// Does nothing when `snapshot` is already rendered.
    @discardableResult
    public func update(to snapshot: Snapshot) throws -> Report {
        try update(latest: { snapshot })
    }

    /// Like `update(to:)` with the snapshot read under the builder's lock, so concurrent
    /// callers never move the site back to an older head than one already rendered.
    @discardableResult
    public func update(latest: () throws -> Snapshot) throws -> Report {
        try state.withLock { current throws -> Report in
            let started = Date()
            let snapshot = try latest()
            guard let previous = current else {
                throw SiteBuildError("update before the first full render")
            }
            guard let commit = snapshot.commit, commit != previous.snapshot.commit else {
                return Report(commit: snapshot.commit, written: 0, removed: 0, seconds: 0)
            }
            let paths = try changedPaths(previous.snapshot.commit, commit)
            var index = previous.index
            for path in paths {
                if case .object(let ref) = RepoPath(path) { index.update(ref, exists: snapshot.document(ref) != nil) }
            }
            let pages = PageDependencies.affectedPages(changedPaths: paths, old: previous.snapshot, new: snapshot,
                                                       oldIndex: previous.index, newIndex: index)
            let renderer = PageRenderer(snapshot: snapshot, library: library, index: index, notices: notices)
            var written = 0
            var removed = 0
            var made = Set<String>()
            for page in pages.sorted() {
                let path = directory + "/" + page.file
                if let html = try renderer.render(page) {
                    try PageFiles.write(html, to: path, knownDirectories: &made)
                    written += 1
                } else if unlink(path) == 0 {
                    removed += 1
                }
            }
            current = State(snapshot: snapshot, index: index)
            return Report(commit: commit, written: written, removed: removed, seconds: Date().timeIntervalSince(started))
        }
    }

    /// Copies the stylesheet, script and icons into `<site>/assets`.
    public func copyAssets(from source: String) throws {
        let target = directory + "/assets"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: source) where !file.hasPrefix(".") {
            let data = try Data(contentsOf: URL(fileURLWithPath: source + "/" + file))
            try data.write(to: URL(fileURLWithPath: target + "/" + file), options: .atomic)
        }
    }
}

public struct SiteBuildError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Writes page files so a reader never sees half a page (temporary file, then rename).
enum PageFiles {
    static func write(_ bytes: [UInt8], to path: String, knownDirectories: inout Set<String>) throws {
        let slash = path.lastIndex(of: "/")!
        let folder = String(path[..<slash])
        if !knownDirectories.contains(folder) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            knownDirectories.insert(folder)
        }
        let temporary = path + ".tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw SiteBuildError("cannot write \(path): \(String(cString: strerror(errno)))") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n <= 0 {
                close(fd)
                unlink(temporary)
                throw SiteBuildError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw SiteBuildError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
