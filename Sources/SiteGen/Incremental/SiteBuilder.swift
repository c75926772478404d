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
    /// Whether the pages carry the Sign out button.
    public let signOut: Bool
    /// The navigation bars, rendered once for every render.
    private let navigation: PageRenderer.Navigation

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
        /// Of `seconds`: finding the changed paths and the affected pages (the rest is rendering and writing).
        public var planSeconds: Double = 0
        public var description: String {
            "\(written) pages written, \(removed) removed in \(String(format: "%.1f", seconds * 1000)) ms"
        }
    }

    /// `signOut`: pages carry the Sign out button (`PageRenderer.signOut`).
    public init(library: TemplateLibrary, directory: String, notices: TrustedHTML = PageRenderer.noticesMarker,
                signOut: Bool = false, changedPaths: @escaping ChangedPaths) {
        self.library = library
        self.directory = directory
        self.notices = notices
        self.signOut = signOut
        self.changedPaths = changedPaths
        navigation = PageRenderer.Navigation(library)
    }

    /// The snapshot the files on disk show.
    public var renderedSnapshot: Snapshot? { state.withLock { $0?.snapshot } }

    /// The commit the files on disk show.
    public var renderedCommit: ObjectID? { state.withLock { $0?.snapshot.commit } }

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

    /// Renders every page of `snapshot`, with `workers` threads rendering and one writing
    /// (before serving: pages are written in place). Over a site we rendered before (a
    /// restart), each page overwrites its file and files of pages that no longer exist are
    /// removed: rewriting an existing file allocates no inode, and deleting the old site would
    /// make the kernel skip its freed inodes one by one when the next files are created (ext4
    /// without a journal). Otherwise pages go into a new directory.
    /// `write: false` renders without writing (to measure the engine apart from the filesystem).
    @discardableResult
    public func renderAll(_ snapshot: Snapshot, workers: Int = 2, write: Bool = true) throws -> Report {
        let started = Date()
        let index = SiteIndex(snapshot: snapshot)
        let renderer = PageRenderer(snapshot: snapshot, library: library, index: index, notices: notices, signOut: signOut,
                                        navigation: navigation)
        let pages = Self.allPages(snapshot, index: index)
        let reuse = write && PageFiles.isOurs(directory)
        let previous = write && !reuse ? try PageFiles.replaceDirectory(directory) : nil
        defer { if let previous { PageFiles.removeInBackground(previous) } }
        var folders = Set<String>()
        for page in pages { folders.insert(String(page.file.prefix { $0 != "/" })) }
        for folder in folders where write && folder != pages[0].file { try PageFiles.makeDirectory(directory + "/" + folder) }
        // `workers` threads render; with `write`, one more thread writes (`PageWriter`).
        let failure = Mutex<(any Error)?>(nil)
        let writer = write ? PageWriter(onlyChanged: reuse) : nil
        let count = max(1, workers)
        DispatchQueue.concurrentPerform(iterations: count) { worker in
            for position in stride(from: worker, to: pages.count, by: count) {
                do {
                    if let html = try renderer.render(pages[position]), let writer {
                        if writer.error != nil { return }
                        writer.enqueue(html, to: directory + "/" + pages[position].file)
                    }
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                    return
                }
            }
        }
        try writer?.finish()
        if let error = failure.withLock({ $0 }) { throw error }
        let removed = reuse ? PageFiles.removeStale(in: directory, keeping: Set(pages.map(\.file))) : 0
        if write { state.withLock { $0 = State(snapshot: snapshot, index: index) } }
        return Report(commit: snapshot.commit, written: pages.count, removed: removed, seconds: Date().timeIntervalSince(started))
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
            let planned = Date()
            let renderer = PageRenderer(snapshot: snapshot, library: library, index: index, notices: notices, signOut: signOut,
                                        navigation: navigation)
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
            return Report(commit: commit, written: written, removed: removed, seconds: Date().timeIntervalSince(started),
                          planSeconds: planned.timeIntervalSince(started))
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

/// Page files on disk. While serving, a page is replaced atomically (temporary file, then
/// rename) so a reader never sees half a page; the first render writes in place.
enum PageFiles {
    static func write(_ bytes: [UInt8], to path: String, knownDirectories: inout Set<String>) throws {
        let slash = path.lastIndex(of: "/")!
        let folder = String(path[..<slash])
        if !knownDirectories.contains(folder) {
            try makeDirectory(folder)
            knownDirectories.insert(folder)
        }
        let temporary = path + ".tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try writeInPlace(bytes, to: temporary)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw SiteBuildError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw SiteBuildError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Marks a directory as a site we rendered (only such a directory is ever replaced).
    static let marker = ".backoffice-site"

    static func isOurs(_ path: String) -> Bool { access(path + "/" + marker, F_OK) == 0 }

    /// Removes files of a site directory that are not among `pages` (relative paths): pages of
    /// objects deleted since the last render, and temporary files of an interrupted update.
    /// Leaves the marker and `assets/` alone. Returns how many files went.
    static func removeStale(in directory: String, keeping pages: Set<String>) -> Int {
        let manager = FileManager.default
        var removed = 0
        for entry in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] where entry != marker && entry != "assets" {
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: directory + "/" + entry, isDirectory: &isFolder) else { continue }
            let files = isFolder.boolValue ? ((try? manager.contentsOfDirectory(atPath: directory + "/" + entry)) ?? []).map { entry + "/" + $0 } : [entry]
            for file in files where !pages.contains(file) && unlink(directory + "/" + file) == 0 { removed += 1 }
        }
        return removed
    }

    /// Moves an existing site directory aside and makes an empty one; returns where the old one
    /// went (delete it once the new one is written: deleting meanwhile slows file creation down).
    /// A directory without our marker is never moved or deleted: pages are written into it.
    static func replaceDirectory(_ path: String) throws -> String? {
        var aside: String?
        if access(path + "/" + marker, F_OK) == 0 {
            let candidate = path + ".old-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            if rename(path, candidate) == 0 { aside = candidate }
        }
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard existing.isEmpty else { return nil }   // someone else's directory: write into it, claim nothing
        _ = FileManager.default.createFile(atPath: path + "/" + marker, contents: Data("rendered by backoffice; replaced on each start\n".utf8))
        return aside
    }

    static func removeInBackground(_ path: String) {
        Thread.detachNewThread { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Writes the page only when the file does not already hold exactly these bytes (a restart
    /// over an unchanged site reads its pages instead of freeing and reallocating their blocks).
    static func writeIfChanged(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_RDONLY)
        if fd >= 0 {
            var status = stat()
            var same = false
            if fstat(fd, &status) == 0 && Int(status.st_size) == bytes.count {
                var existing = [UInt8](repeating: 0, count: bytes.count)
                let n = existing.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                same = n == bytes.count && existing == bytes
            }
            close(fd)
            if same { return }
        }
        try writeInPlace(bytes, to: path)
    }

    static func writeInPlace(_ bytes: [UInt8], to path: String) throws {
        let temporary = path
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
    }
}
