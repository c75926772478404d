import ConfigRepo
import Foundation
import SiteGen
import Runtime
import Synchronization

/// The backoffice site as served: pre-rendered pages from the site directory (with the
/// validation banner and flash messages filled in per request), and the pages that depend on
/// who asks or on the moment (forms with their token, search results, history) rendered per request.
public final class SiteApp: Sendable {
    let repository: ConfigRepository
    let builder: SiteBuilder
    let library: TemplateLibrary
    let siteDirectory: String
    let csrf: CSRFTokens
    /// Who viewed or controlled which system (shown on each user's page).
    let accessLog: AccessLog
    /// The pre-rendered pages and assets, with validators and 304s.
    let files: StaticFiles
    /// Pre-rendered pages cut at their per-request holes, once per file version.
    let pageCuts = PageCutCache()
    /// Whether a module is online for the module list's state filter when no runtime is
    /// attached (the configured `running`); with one, its live state (`onlineState`).
    let moduleState: ModuleOnlineState
    private let banner = Mutex<TrustedHTML>(TrustedHTML(trusted: ""))
    private let watchToken = Mutex<WatchToken?>(nil)
    /// Whether a background re-render is queued (`refreshSoon`).
    private let refreshQueued = Mutex(false)
    private let headObservers = Mutex<[@Sendable () -> Void]>([])
    private let runtimeEngine = Mutex<RuntimeEngine?>(nil)

    public init(repository: ConfigRepository, builder: SiteBuilder, library: TemplateLibrary, siteDirectory: String,
                stateDirectory: String, moduleState: ModuleOnlineState = .configured) throws {
        self.moduleState = moduleState
        self.repository = repository
        self.builder = builder
        self.library = library
        self.siteDirectory = siteDirectory
        self.csrf = try CSRFTokens.load(stateDirectory: stateDirectory)
        self.accessLog = AccessLog(authDirectory: try StateFile.authDirectory(stateDirectory: stateDirectory))
        self.files = StaticFiles(root: siteDirectory, mountPath: "/backoffice")
    }

    /// Follows the branch: every new head (from a form, `git push` or a commit in the working
    /// tree) re-renders the affected pages and re-checks the head for the banner.
    public func start() {
        refreshBanner()
        let token = try? repository.watch { [weak self] _ in
            guard let self else { return }
            self.refresh()
            self.refreshBanner()
        }
        watchToken.withLock { $0 = token }
    }

    /// Re-renders the pages affected since the last render, up to the current head.
    @discardableResult
    func refresh() -> SiteBuilder.Report? {
        for observer in headObservers.withLock({ $0 }) { observer() }
        return rerender()
    }

    /// Brings the pre-rendered pages to the current head.
    @discardableResult
    private func rerender() -> SiteBuilder.Report? {
        do {
            return try builder.update(latest: { try repository.headSnapshot() })
        } catch {
            FileHandle.standardError.write(Data("site: re-render failed: \(error)\n".utf8))
            return nil
        }
    }

    /// Re-renders in the background, soon: a form answers its 303 right after the commit.
    /// Commits made meanwhile are rendered together (one queued re-render at a time), and a
    /// reader never sees the site behind the branch because `catchUp()` runs before serving a page.
    /// Head observers (the identity directory) still run before the answer.
    func refreshSoon() {
        for observer in headObservers.withLock({ $0 }) { observer() }
        let queue = refreshQueued.withLock { queued in
            defer { queued = true }
            return !queued
        }
        guard queue else { return }
        DispatchQueue.global(qos: .utility).async { [self] in
            refreshQueued.withLock { $0 = false }
            rerender()
        }
    }

    /// Brings the pre-rendered pages up to the branch head before one is served (read your
    /// own writes: the page a form redirects to shows the new value). Usually nothing to do.
    func catchUp() {
        guard let head = repository.store.head(), builder.renderedCommit != head else { return }
        rerender()
    }

    /// The runtime whose live state (module dots, room colours, online counts) pages show at
    /// request time (`LiveMarks`); without one pages show their pre-rendered defaults.
    public func attach(runtime: RuntimeEngine) { runtimeEngine.withLock { $0 = runtime } }

    var runtime: RuntimeEngine? { runtimeEngine.withLock { $0 } }

    /// Calls `action` after each commit the site makes and each new head it notices (the
    /// identity directory re-reads users and keys then).
    public func whenHeadMoves(_ action: @escaping @Sendable () -> Void) {
        headObservers.withLock { $0.append(action) }
    }

    private func refreshBanner() {
        let problems = (try? repository.validate()) ?? []
        banner.withLock { $0 = Notices.banner(problems) }
    }

    var currentBanner: TrustedHTML { banner.withLock { $0 } }

    /// Adds the site's routes: assets, pages, forms.
    public func mount(on router: inout Router) {
        router.post("/backoffice/:kind/new") { [self] request in try await self.create(request) }
        router.post("/backoffice/:kind/:id/edit") { [self] request in try await self.save(request) }
        router.post("/backoffice/:kind/:id/delete") { [self] request in try await self.delete(request) }
        router.post("/backoffice/:kind/:id/revert") { [self] request in try await self.revert(request) }
        for list in SystemMembership.List.allCases {
            router.post("/backoffice/:kind/:id/" + list.rawValue) { [self] request in try await self.changeMembers(request, list) }
        }
        router.post("/backoffice/users/:id/permissions") { [self] request in try await self.savePermissions(request) }
        mountDeployment(on: &router)
        // The stylesheet, script and icon: public, so the sign-in page (same look) can load them.
        router.get("/backoffice/assets/*") { [self] request in try self.files.respond(to: request) }
        router.get("/backoffice/*") { [self] request in try self.get(request) }
        router.get("/backoffice") { [self] request in try self.get(request) }
    }

    // MARK: - Shared pieces

    /// The renderer for a per-request page of the current head.
    func renderer(_ snapshot: Snapshot, flash: TrustedHTML? = nil) -> PageRenderer {
        let notices = TrustedHTML(trusted: currentBanner.text + (flash?.text ?? ""))
        return PageRenderer(snapshot: snapshot, library: library, index: SiteIndex(), notices: notices)
    }

    // `head`, `message` and `checkToken` are not inlined: inlined into the async form handlers
    // they crashed the release compiler (swift-frontend signal 11 while splitting the
    // coroutine of `savePermissions`).
    @inline(never)
    func head() throws -> Snapshot {
        do { return try repository.headSnapshot() } catch { throw HTTPError(.internalServerError, "cannot read the configuration: \(error)") }
    }

    func html(_ bytes: [UInt8], status: HTTPStatus = .ok, setCookie: String? = nil) -> Response {
        var response = Response(status: status, headers: ["Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"], body: bytes)
        if let setCookie { response.headers.add("Set-Cookie", setCookie) }
        return response
    }

    /// A page with one message (errors the user can act on).
    @inline(never)
    func message(_ title: String, _ text: String, status: HTTPStatus, level: String = "error", back: String? = nil) throws -> Response {
        let page = try renderer(try head()).page("message", title: title, kind: nil,
                                                 ["message": .string(text), "level": .string(level), "backURL": .optional(back)])
        return html(page, status: status)
    }

    /// The site kind of the `:kind` parameter, or a 404.
    func kind(_ request: Request) throws -> Kind {
        guard let segment = request.parameter("kind"), let kind = SiteKinds.kind(segment: segment) else {
            throw HTTPError(.notFound, "no such section")
        }
        return kind
    }

    /// Refuses a POST whose token does not match this browser and form.
    @inline(never)
    func checkToken(_ request: Request, _ form: FormSubmission) throws {
        guard csrf.isValid(form["_csrf"], binding: BrowserBinding.value(in: request), purpose: request.path) else {
            throw HTTPError(.forbidden, "this form has expired or did not come from this site (missing or wrong form token); reload the page and try again")
        }
    }

    /// The form token for this browser (its session) and form; empty when the request has no
    /// binding (a bearer token or API key), so the form cannot be posted.
    func token(for request: Request, purpose: String) -> (token: String, setCookie: String?) {
        let binding = BrowserBinding.resolve(request)
        return (binding.value.map { csrf.token(binding: $0, purpose: purpose) } ?? "", binding.setCookie)
    }
}
