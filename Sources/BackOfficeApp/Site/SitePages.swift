import ConfigRepo
import Foundation
import SiteGen
import Synchronization
import WebServer

/// The site's pre-rendered pages, kept at the branch head: re-rendered after each new head (in
/// the background after a form's commit, coalesced), caught up before one is served, and the
/// validation banner of the head that every page shows.
final class SitePages: Sendable {
    let builder: SiteBuilder
    /// Where the pages are written.
    let directory: String
    /// The pages and assets as files, with validators and 304s.
    let files: StaticFiles
    private let repository: ConfigRepository
    /// The head's problems, followed commit by commit for the banner.
    private let headProblems: HeadProblems
    private let banner = Mutex<TrustedHTML>(TrustedHTML(trusted: ""))
    /// Notices from outside the head's validation (a refused upstream head), by source.
    private let notices = Mutex<[String: TrustedHTML]>([:])
    /// Whether a background render is queued (`renderSoon`).
    private let renderQueued = Mutex(false)
    /// The background renders' own serial queue: one at a time, never waiting behind requests
    /// on `BlockingWorkers` (a reader would then render the page itself in `catchUp`).
    private let renderer = DispatchQueue(label: "backoffice.site.renderer", qos: .utility)

    init(repository: ConfigRepository, builder: SiteBuilder, directory: String) {
        self.repository = repository
        headProblems = HeadProblems(repository: repository)
        self.builder = builder
        self.directory = directory
        files = StaticFiles(root: directory, mountPath: "/backoffice")
    }

    /// Brings the pages to the current head now: those affected since the last render.
    @discardableResult
    func render() -> SiteBuilder.Report? {
        do {
            return try builder.update(latest: { try repository.headSnapshot() })
        } catch {
            FileHandle.standardError.write(Data("site: re-render failed: \(error)\n".utf8))
            return nil
        }
    }

    /// Renders in the background, soon: a form answers its 303 right after the commit.
    /// Commits made meanwhile are rendered together (one queued render at a time), and a reader
    /// never sees the site behind the branch because `catchUp()` runs before serving a page.
    func renderSoon() {
        let queue = renderQueued.withLock { queued in
            defer { queued = true }
            return !queued
        }
        guard queue else { return }
        renderer.async { [self] in
            renderQueued.withLock { $0 = false }
            render()
        }
    }

    /// Brings the pages up to the branch head before one is served (read your own writes: the
    /// page a form redirects to shows the new value). Usually nothing to do.
    func catchUp() {
        guard let head = repository.store.head(), builder.renderedCommit != head else { return }
        render()
    }

    /// Validates the head again for the banner (only what the commits since the last check can
    /// have affected: `HeadProblems`).
    func checkBanner() {
        let problems = (try? headProblems.current()) ?? []
        banner.withLock { $0 = Notices.banner(problems) }
    }

    /// Shows `notice` on every page under the banner (nil: removes the one from `source`).
    func setNotice(_ notice: TrustedHTML?, from source: String) {
        notices.withLock { $0[source] = notice }
    }

    /// The banner of the head's validation problems (empty when it is valid), and the notices.
    var currentBanner: TrustedHTML {
        let extra = notices.withLock { notices in notices.keys.sorted().compactMap { notices[$0]?.text }.joined() }
        return TrustedHTML(trusted: banner.withLock { $0.text } + extra)
    }
}
