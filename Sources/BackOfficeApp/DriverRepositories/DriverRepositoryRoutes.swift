import ConfigRepo
import Foundation
import Runtime
import Synchronization
import WebServer

/// The git side of repositories and drivers under `/api/engine/v2` (placeos-api §4): pull,
/// branches, commits, the drivers a repository holds and their metadata, the interfaces'
/// commits, and a driver's build (compiled, recompile, reload). Thin calls on
/// `DriverRepositories`; the CRUD of both kinds is the REST API's. Refusals come in the REST
/// API's PlaceOS bodies (`RESTError`).
public struct DriverRepositoryRoutes: Feature {
    let repositories: DriverRepositories
    let configuration: ConfigRepository
    let engine: RuntimeEngine
    /// How long `pull` and `reload` wait before answering that the work goes on (PlaceOS waits a minute).
    let waitLimit: Duration

    public init(repositories: DriverRepositories, configuration: ConfigRepository, engine: RuntimeEngine,
                waitLimit: Duration = .seconds(60)) {
        self.repositories = repositories
        self.configuration = configuration
        self.engine = engine
        self.waitLimit = waitLimit
    }

    public func mount(on router: inout Router) {
        let base = "/api/engine/v2/"
        router.get(base + "repositories/interfaces") { [self] request in
            await answer(request) { .json(JSONWriter.compactString(.object(repositories.interfaceCommits().mapValues(JSONValue.string)))) }
        }
        router.post(base + "repositories/:id/pull") { [self] request in await answer(request) { try await pull(request) } }
        router.get(base + "repositories/:id/branches") { [self] request in
            await answer(request) { json(.array(try repositories.branches(id(request)).map(JSONValue.string))) }
        }
        router.get(base + "repositories/:id/default_branch") { [self] request in
            await answer(request) { json(try repositories.defaultBranch(id(request)).map(JSONValue.string) ?? .null) }
        }
        router.get(base + "repositories/:id/commits") { [self] request in await answer(request) { try commits(request) } }
        router.get(base + "repositories/:id/drivers") { [self] request in
            await answer(request) {
                let found = try repositories.drivers(id(request), revision: request.query("commit") ?? request.query("branch"))
                return json(.array(found.map { .string($0.file) }))
            }
        }
        router.get(base + "repositories/:id/details") { [self] request in await answer(request) { try await details(request) } }
        router.get(base + "drivers/:id/readme") { [self] request in await answer(request) { try readme(request) } }
        router.get(base + "drivers/:id/compiled") { [self] request in await answer(request) { try compiled(request) } }
        router.post(base + "drivers/:id/recompile") { [self] request in await answer(request) { try recompile(request) } }
        router.post(base + "drivers/:id/reload") { [self] request in await answer(request) { try await reload(request) } }
    }

    // MARK: - Repositories

    /// Fetches now and answers the followed branch's commit; a fetch still running after the
    /// wait limit answers 202 with the commit known so far.
    func pull(_ request: Request) async throws -> Response {
        let id = id(request)
        guard repositories.repositories.status(id) != nil else { throw Self.unknownRepository(id, configuration) }
        let fetched = await Self.within(waitLimit) { [repositories] in await repositories.pull(id) }
        guard let status = fetched ?? nil else {
            let head = repositories.repositories.status(id)?.head
            return json(.object(["commit_hash": head.map { .string($0.hex) } ?? .null, "fetching": true]), status: HTTPStatus(202))
        }
        if let error = status.error { throw RuntimeError(code: "fetch_failed", message: error) }
        return json(.object(["commit_hash": status.head.map { .string($0.hex) } ?? .null]))
    }

    /// `[{commit, date, author, subject}]`, newest first: the branch's (`branch`, default the
    /// followed one) commits, only those changing `driver`'s folder when given.
    func commits(_ request: Request) throws -> Response {
        let limit = Int(request.query("limit") ?? "") ?? 50
        guard (1...1_000).contains(limit) else {
            throw RESTError.badRequest("limit must be a number from 1 to 1000", parameter: "limit", restriction: "1...1000")
        }
        let list = try repositories.commits(id(request), branch: request.query("branch"),
                                            file: request.query("driver").flatMap { $0.isEmpty ? nil : $0 }, limit: limit)
        return json(.array(list.map(Self.commitJSON)))
    }

    /// The driver's metadata at a commit (built first when needed; up to the build's time limit).
    func details(_ request: Request) async throws -> Response {
        guard let file = request.query("driver"), !file.isEmpty else {
            throw RESTError.badRequest("the query needs driver=<file_name>", parameter: "driver", restriction: "a driver's file in the repository")
        }
        let metadata = try await repositories.details(id(request), file: file, revision: request.query("commit"))
        return json(metadata.json)
    }

    // MARK: - Drivers

    /// 200 when the driver's wanted commit is built (or it needs no build), 503 with the output
    /// when that build failed, 404 while it is not built yet.
    func compiled(_ request: Request) throws -> Response {
        let (driver, repository) = try driver(request)
        guard isGit(repository) else { return json(.object(["state": "built", "message": "this driver is built with BackOffice"])) }
        let report = repositories.buildReport(for: driver, repository: repository)
        var body = Self.buildJSON(report)
        switch report.state {
        case .built?: return json(body)
        case .failed(let failure)?:
            body["compilation_output"] = .string(failure.output.isEmpty ? failure.message : failure.output)
            return json(body, status: .serviceUnavailable)
        default: return json(body, status: .notFound)
        }
    }

    /// The driver's README (`text/markdown`) at the commit it is built from: `README.md` in the
    /// driver's folder, else at the repository's root; 404 when there is none, or when the
    /// driver is not from a git repository.
    func readme(_ request: Request) throws -> Response {
        let (driver, repository) = try driver(request)
        guard let repository, isGit(repository),
              let commit = repositories.buildReport(for: driver, repository: repository).wanted?.commit else {
            throw RESTError.notFound("driver \(driver.id) has no README: it is not from a fetched git repository")
        }
        let mirror = try repositories.repositories.mirror(repository.id)
        let folder = (driver.document.string("file_name") ?? "").split(separator: "/").dropLast().joined(separator: "/")
        for path in Set([folder.isEmpty ? "README.md" : folder + "/README.md", "README.md"]).sorted(by: { $0.count > $1.count }) {
            guard let bytes = try mirror.file(path, at: commit) else { continue }
            var response = Response(body: bytes)
            response.headers.set("Content-Type", "text/markdown; charset=utf-8")
            return response
        }
        throw RESTError.notFound("the repository of driver \(driver.id) has no README.md beside the driver nor at its root")
    }

    /// Forgets the wanted commit's build and builds it again; answers at once (202).
    func recompile(_ request: Request) throws -> Response {
        let (driver, repository) = try driver(request)
        guard isGit(repository) else {
            throw RESTError.badRequest("driver \(driver.id) is built with BackOffice, not from git", parameter: "id", restriction: "a driver from a git repository")
        }
        guard repositories.recompile(driver, repository: repository) != nil else {
            throw RuntimeError(code: "not_fetched", message: repositories.buildReport(for: driver, repository: repository).problem
                               ?? "the driver's commit is not known yet")
        }
        return json(Self.buildJSON(repositories.buildReport(for: driver, repository: repository)), status: HTTPStatus(202))
    }

    /// Builds again, waits for the build (up to the wait limit), and moves the driver's modules
    /// onto it: 200 when built, 503 with the output when it failed, 202 when still building.
    func reload(_ request: Request) async throws -> Response {
        let (driver, repository) = try driver(request)
        guard isGit(repository) else {
            engine.reapply()
            return json(.object(["state": "built"]))
        }
        guard let key = repositories.buildReport(for: driver, repository: repository).wanted,
              repositories.recompile(driver, repository: repository) != nil else {
            throw RuntimeError(code: "not_fetched", message: repositories.buildReport(for: driver, repository: repository).problem
                               ?? "the driver's commit is not known yet")
        }
        let finished = await Self.within(waitLimit) { [repositories] in await repositories.builds.finished(key) }
        engine.reapply()
        var body = Self.buildJSON(repositories.buildReport(for: driver, repository: repository))
        switch finished {
        case .built?: return json(body)
        case .failed(let failure)?:
            body["compilation_output"] = .string(failure.output.isEmpty ? failure.message : failure.output)
            return json(body, status: .serviceUnavailable)
        default: return json(body, status: HTTPStatus(202))
        }
    }

    // MARK: - Shapes

    /// `{state, commit, message?, errors?, running_commit?}` of a driver's build.
    static func buildJSON(_ report: DriverBuildReport) -> [String: JSONValue] {
        var body: [String: JSONValue] = ["state": .string(report.state?.name ?? "none")]
        if let wanted = report.wanted { body["commit"] = .string(wanted.commit.hex) }
        if let running = report.running { body["running_commit"] = .string(running.commit.hex) }
        if let problem = report.problem { body["message"] = .string(problem) }
        if case .failed(let failure)? = report.state {
            body["message"] = .string(failure.message)
            body["errors"] = .array(failure.diagnostics.filter { $0.severity == "error" }.map(diagnosticJSON))
        }
        return body
    }

    static func diagnosticJSON(_ diagnostic: CompilerDiagnostic) -> JSONValue {
        .object(["file": .string(diagnostic.file), "line": .int(diagnostic.line), "column": .int(diagnostic.column),
                 "severity": .string(diagnostic.severity), "message": .string(diagnostic.message)])
    }

    static func commitJSON(_ commit: GitCommitSummary) -> JSONValue {
        .object(["commit": .string(commit.id.hex), "subject": .string(commit.subject),
                 "author": .string(commit.author.name),
                 "date": commit.author.date.map { .string(ISO8601DateFormatter().string(from: $0)) } ?? .null])
    }

    // MARK: - Helpers

    private func json(_ value: JSONValue, status: HTTPStatus = .ok) -> Response {
        .json(JSONWriter.compactString(value), status: status)
    }

    private func json(_ members: [String: JSONValue], status: HTTPStatus = .ok) -> Response {
        json(.object(members), status: status)
    }

    private func id(_ request: Request) -> String { request.parameter("id") ?? "" }

    /// Whether a repository is fetched with git (the others, `bundled:` and `file://`, hold ready drivers).
    private func isGit(_ repository: ConfigDocument?) -> Bool {
        repository.map { repositories.repositories.status($0.id) != nil } ?? false
    }

    /// The driver the route names, from the head of the configuration, with its repository.
    private func driver(_ request: Request) throws -> (DriverView, ConfigDocument?) {
        let id = id(request)
        guard let document = try configuration.headSnapshot().document(.driver, id) else {
            throw RuntimeError(code: "unknown_driver", message: "driver \(id) does not exist")
        }
        let driver = DriverView(document)
        return (driver, try driver.repositoryID.flatMap { try configuration.headSnapshot().document(.repository, $0) })
    }

    static func unknownRepository(_ id: String, _ configuration: ConfigRepository) -> RuntimeError {
        let exists = (try? configuration.headSnapshot().document(.repository, id)) != nil
        return RuntimeError(code: "unknown_repository", message: exists
                            ? "repository \(id) is not fetched with git (its uri is bundled: or file://)"
                            : "repository \(id) does not exist")
    }

    /// `work`'s result, or nil when it takes longer than `limit` (the work goes on, unwatched).
    static func within<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async -> T) async -> T? {
        await withCheckedContinuation { continuation in
            let answer = FirstAnswer(continuation)
            Task { answer.resume(await work()) }
            Task {
                try? await Task.sleep(for: limit)
                answer.resume(nil)
            }
        }
    }

    /// Runs a handler in REST's shapes (`RESTError.answering`), with this feature's statuses:
    /// an unknown repository or driver, a missing branch or commit 404; not fetched yet 409; a
    /// failed fetch 502; a file that is not a driver, or a driver that did not build, 422 naming
    /// the `driver` (a build failure also with its diagnostics and output).
    func answer(_ request: Request, _ handler: () async throws -> Response) async -> Response {
        await RESTError.answering(request, status: Self.status) {
            do {
                return try await handler()
            } catch let error as RuntimeError where error.code == "not_a_driver" {
                throw RESTError.invalid(field: "driver", reason: error.message)
            } catch let error as GitError {
                throw RESTError.failure(error.isNotFound ? .notFound : .internalServerError, error.message)
            } catch let failure as DriverBuildFailure {
                let errors = failure.diagnostics.filter { $0.severity == "error" }
                throw RESTError(status: .unprocessableContent, body: .object([
                    "error": .string(failure.message), "compilation_output": .string(failure.output),
                    // Each compiler error names its place; a failure without any names the driver.
                    "failures": .array(errors.isEmpty ? [.object(["field": "driver", "reason": .string(failure.message)])]
                        : errors.map { .object(["field": .string("\($0.file):\($0.line):\($0.column)"), "reason": .string($0.message)]) }),
                    "errors": .array(errors.map(Self.diagnosticJSON)),
                ]))
            }
        }
    }

    static func status(_ error: RuntimeError) -> Int? {
        switch error.code {
        case "unknown_repository", "unknown_driver": 404
        case "not_fetched": 409
        case "fetch_failed": 502
        default: nil
        }
    }
}

/// Resumes a continuation with whichever answer comes first (the work's, or the time limit's nil).
private final class FirstAnswer<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T?, Never>?>

    init(_ continuation: CheckedContinuation<T?, Never>) { self.continuation = Mutex(continuation) }

    func resume(_ value: T?) { continuation.withLock { $0.take() }?.resume(returning: value) }
}
