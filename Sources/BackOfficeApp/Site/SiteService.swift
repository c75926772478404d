import Auth
import ConfigRepo
import Runtime
import SiteGen
import Synchronization
import WebServer

/// The backoffice site as its controllers share it: the configuration repository, the
/// pre-rendered pages kept at the branch head (with the validation banner and flash messages
/// put in per request), the form tokens, and the runtime whose live state pages show. The
/// controllers in `Site/Controllers/` add the routes (`controllers`).
public final class SiteService: Sendable {
    let repository: ConfigRepository
    let library: TemplateLibrary
    /// The pre-rendered pages, kept at the branch head, and the banner.
    let pages: SitePages
    let tokens: FormTokens
    /// Who viewed or controlled which system (shown on each user's page).
    let accessLog: AccessLog
    /// Ends a user's sessions and tokens when an admin changes the user's role or removes the user.
    let signOutEverywhere: SignOutEverywhere
    /// Pre-rendered pages cut at their per-request holes, once per file version.
    let pageCuts = PageCutCache()
    /// What each "new object" form created, so that posting one twice does not make two.
    let createdObjects = CreatedObjects()
    /// The branches page's reviews, by branch head and tracked head.
    let branchReviews = BranchReviewCache()
    /// Whether a module is online for the module list's state filter when no runtime is
    /// attached (the configured `running`); with one, its live state (`onlineState`).
    let moduleState: ModuleOnlineState
    private let headObservers = Mutex<[@Sendable () -> Void]>([])
    private let runtimeEngine = Mutex<RuntimeEngine?>(nil)
    private let upstreamFollower = Mutex<UpstreamFollower?>(nil)
    private let gitRepositories = Mutex<DriverRepositories?>(nil)
    /// The render made at start (`render`), for the start-up line.
    public let firstRender: SiteBuilder.Report?
    /// Whether pages carry the Sign out button (sign-in is on).
    let signOut: Bool
    /// The navigation bars, rendered once rather than for each per-request page.
    private let navigation: PageRenderer.Navigation

    public init(repository: ConfigRepository, builder: SiteBuilder, library: TemplateLibrary, siteDirectory: String,
                stateDirectory: String, moduleState: ModuleOnlineState = .configured, firstRender: SiteBuilder.Report? = nil) throws {
        self.repository = repository
        self.library = library
        pages = SitePages(repository: repository, builder: builder, directory: siteDirectory)
        self.moduleState = moduleState
        self.firstRender = firstRender
        signOut = builder.signOut
        navigation = PageRenderer.Navigation(library)
        tokens = FormTokens(csrf: try CSRFTokens.load(stateDirectory: stateDirectory))
        let authDirectory = try StateFile.authDirectory(stateDirectory: stateDirectory)
        accessLog = AccessLog(authDirectory: authDirectory)
        signOutEverywhere = try SignOutEverywhere(authDirectory: authDirectory)
    }

    /// Renders the whole site into `siteDirectory` for the current head (and copies the assets).
    /// The application then feeds it every new head (`headChanged`).
    /// `signOut`: every page has the Sign out button (when sign-in is on).
    public static func render(repository: ConfigRepository, library: TemplateLibrary, templatesDirectory: String,
                              siteDirectory: String, stateDirectory: String, signOut: Bool = false) throws -> SiteService {
        let builder = SiteBuilder(library: library, directory: siteDirectory, signOut: signOut,
                                  changedPaths: { from, to in try repository.store.changes(from: from, to: to) })
        let report = try builder.renderAll(try repository.headSnapshot())
        try builder.copyAssets(from: templatesDirectory + "/assets")
        let site = try SiteService(repository: repository, builder: builder, library: library, siteDirectory: siteDirectory,
                                   stateDirectory: stateDirectory, firstRender: report)
        site.pages.checkBanner()
        return site
    }

    /// Every controller of the site, in the order their routes are added.
    public var controllers: [any Feature] {
        [ObjectFormsController(site: self), APIKeysController(site: self), HistoryController(site: self),
         SystemMembersController(site: self), TriggerInstancesController(site: self), OperateController(site: self), MetadataController(site: self), MapUploadController(site: self), UsersController(site: self), EffectiveSettingsController(site: self),
         DeploymentController(site: self), BranchesController(site: self), AccountController(site: self), PagesController(site: self)]
    }

    /// Adds every controller's routes.
    public func mount(on router: inout Router) {
        for controller in controllers { controller.mount(on: &router) }
    }

    // MARK: - Following the branch

    /// A new head (from a form, `git push` or a commit in the working tree): re-renders the
    /// affected pages and re-checks the head for the banner. Called by the application's head
    /// watch (`HeadFeed`), on its thread.
    public func headChanged() {
        refresh()
        pages.checkBanner()
    }

    /// After a commit: tells the head observers, then re-renders the affected pages now.
    func refresh() {
        headMoved()
        pages.render()
    }

    /// After a form's commit: tells the head observers (the identity directory) before the
    /// answer, and re-renders in the background (`SitePages.renderSoon`).
    func refreshSoon() {
        headMoved()
        pages.renderSoon()
    }

    private func headMoved() {
        for observer in headObservers.withLock({ $0 }) { observer() }
    }

    /// The runtime whose live state (module dots, room colours, online counts) pages show at
    /// request time (`LiveMarks`); without one pages show their pre-rendered defaults.
    public func attach(runtime: RuntimeEngine) { runtimeEngine.withLock { $0 = runtime } }

    /// The upstream the deployment follows: its state on the deployment page, a refused head
    /// in a banner on every page (docs/git-workflows.md).
    public func attach(upstream: UpstreamFollower) {
        upstreamFollower.withLock { $0 = upstream }
        upstream.onChange { [pages] status in
            pages.setNotice(status.refusal.map { refusal in
                Notices.refusedUpstream(commit: refusal.commit.short, author: refusal.author, subject: refusal.subject,
                                        reason: refusal.reason, problems: refusal.problems)
            }, from: "upstream")
            // Commits that could not be pushed: how many wait, and why.
            let waiting = status.ahead > 0 && status.lastError != nil
                ? Notices.message("\(status.ahead) commit\(status.ahead == 1 ? "" : "s") of this deployment \(status.ahead == 1 ? "is" : "are") "
                    + "waiting to be pushed to the upstream: \(status.lastError ?? ""). They are kept here and pushed in order when it is back.",
                    kind: "warn")
                : nil
            pages.setNotice(waiting, from: "upstream-waiting")
        }
    }

    var upstream: UpstreamFollower? { upstreamFollower.withLock { $0 } }

    var runtime: RuntimeEngine? { runtimeEngine.withLock { $0 } }

    /// The git repositories and builds the new-driver form fills itself from (`DriverPrefill`).
    public func attach(driverRepositories: DriverRepositories) { gitRepositories.withLock { $0 = driverRepositories } }

    var driverRepositories: DriverRepositories? { gitRepositories.withLock { $0 } }

    /// Calls `action` after each commit the site makes and each new head it notices (the
    /// identity directory re-reads users and keys then).
    public func whenHeadMoves(_ action: @escaping @Sendable () -> Void) {
        headObservers.withLock { $0.append(action) }
    }

    // MARK: - Pieces every controller uses

    /// A site handler that refuses, with 401, a request nobody authenticated (the gate sends
    /// visitors to sign in first; without a gate nobody reads or writes the site). Every site
    /// route but the assets goes through it.
    func signedIn(_ handler: @escaping @Sendable (Request) throws -> Response) -> ImmediateHandler {
        { request in
            guard request.principal.isAuthenticated else { throw HTTPError(.unauthorized, "sign in required") }
            return try handler(request)
        }
    }

    /// The configuration at the branch head.
    func head() throws(HTTPError) -> Snapshot {
        do { return try repository.headSnapshot() } catch { throw HTTPError(.internalServerError, "cannot read the configuration: \(error)") }
    }

    /// The renderer for a per-request page of the current head, with the banner and `flash`.
    func renderer(_ snapshot: Snapshot, flash: TrustedHTML? = nil) -> PageRenderer {
        let notices = TrustedHTML(trusted: pages.currentBanner.text + (flash?.text ?? ""))
        return PageRenderer(snapshot: snapshot, library: library, index: SiteIndex(), notices: notices, signOut: signOut,
                            navigation: navigation)
    }

    /// A per-request page: never cached, with the form-token cookie when one was made.
    func html(_ bytes: [UInt8], status: HTTPStatus = .ok, setCookie: String? = nil) -> Response {
        var response = Response(status: status, headers: ["Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"], body: bytes)
        if let setCookie { response.headers.add("Set-Cookie", setCookie) }
        return response
    }

    /// A per-request page with the runtime's live marks filled in (`LiveMarks`), as the
    /// pre-rendered pages get them; as is without a runtime.
    func live(_ page: [UInt8]) -> [UInt8] {
        guard let runtime else { return page }
        return Array(LiveMarks.fill(String(decoding: page, as: UTF8.self), engine: runtime).utf8)
    }

    /// A page with one message (errors the user can act on).
    func message(_ title: String, _ text: String, status: HTTPStatus, level: String = "error", back: String? = nil) throws -> Response {
        let page = try renderer(try head()).page("message", title: title, kind: nil,
                                                 ["message": .string(text), "level": .string(level), "backURL": .optional(back)])
        return html(page, status: status)
    }

    /// A refused write as a message page.
    func message(_ refusal: WriteRefusal, back: String? = nil) throws -> Response {
        try message(refusal.title, refusal.message, status: refusal.status, back: back)
    }

    /// The site kind of the `:kind` parameter, or a 404.
    func kind(_ request: Request) throws(HTTPError) -> Kind {
        guard let segment = request.parameter("kind"), let kind = SiteKinds.kind(segment: segment) else {
            throw HTTPError(.notFound, "no such section")
        }
        return kind
    }

    /// "Saved as commit …" after a form's 303 (`?saved=<commit>`).
    func savedNotice(_ request: Request) -> TrustedHTML? {
        guard let saved = request.query("saved"), let id = ObjectID(hex: saved), let info = try? repository.store.commitInfo(id) else { return nil }
        let subject = CommitMessage.visibleSubject(info.subject, to: request.principal.role)
        return Notices.message("Saved as commit \(id.short) by \(info.author.name): \(subject)")
    }
}
