import ConfigRepo
import Foundation
import Testing
import TestSupport
@testable import Runtime

/// The repository manager and the git resolver against a real repository on disk, with
/// executable drivers (no compiler needed; the Swift builds are covered end to end).
@Suite struct DriverRepositoriesTests {
    static func repositoryDocument(uri: String, branch: String = "main", commit: String = "HEAD") -> ConfigDocument {
        ConfigDocument(ref: ObjectRef(.repository, "repo-lab"), members: [
            "name": .string("Lab"), "repo_type": .string("driver"), "folder_name": .string("lab"),
            "uri": .string(uri), "branch": .string(branch), "commit_hash": .string(commit),
        ])
    }

    static func driver(commit: String? = nil, file: String = "echo.py") -> DriverView {
        var members: [String: JSONValue] = ["name": .string("Echo"), "repository_id": .string("repo-lab"),
                                            "file_name": .string(file), "role": .int(99), "module_name": .string("Echo")]
        if let commit { members["commit"] = .string(commit) }
        return DriverView(ConfigDocument(ref: ObjectRef(.driver, "driver-echo"), members: members))
    }

    static func snapshot(_ repository: ConfigDocument) -> Snapshot {
        Snapshot(commit: nil, files: [RepoFile(path: "repositories/repo-lab.json", blob: SampleConfig.blob("r"),
                                               bytes: JSONWriter.canonicalBytes(.object(repository.members)))])
    }

    @Test func theManagerFetchesAndReportsTheBranchHeadAndErrors() async throws {
        let source = try ScratchGitRepository()
        defer { source.remove() }
        let first = try source.commit(["a.txt": "1"], message: "one")
        let manager = RepositoryManager(directory: source.root + "/state/repositories")
        defer { manager.close() }
        manager.sync([RepositorySource(id: "repo-lab", kind: .driver, uri: source.path, branch: "main", folderName: "lab")])
        let fetched = try #require(await manager.pulled("repo-lab"))
        #expect(fetched.head == first && fetched.error == nil && fetched.phase == "fetched" && fetched.branch == "main")

        let second = try source.commit(["a.txt": "2"], message: "two")
        #expect(await manager.pulled("repo-lab")?.head == second)

        manager.sync([RepositorySource(id: "repo-lab", kind: .driver, uri: source.path, branch: "nope", folderName: "lab")])
        let missing = try #require(await manager.pulled("repo-lab"))
        #expect(missing.error == "branch \"nope\" does not exist in \(source.path) (branches: main)")
        #expect(missing.head == second, "a failed fetch keeps the last known head")

        manager.sync([RepositorySource(id: "repo-lab", kind: .driver, uri: source.root + "/gone", folderName: "lab")])
        let gone = try #require(await manager.pulled("repo-lab"))
        #expect(gone.error?.hasPrefix("cannot fetch \(source.root)/gone:") == true)
        #expect(await manager.pulled("repo-unknown") == nil)
    }

    @Test func aCommitWhoseDriverIsBrokenKeepsTheLastGoodBinary() async throws {
        let source = try ScratchGitRepository()
        defer { source.remove() }
        let good = try source.commit(["echo.py": pythonDriverScript(name: "Echo v1")], executable: ["echo.py"], message: "v1")
        let state = source.root + "/state"
        let repositories = DriverRepositories(stateDirectory: state, secretBox: SampleSecrets.box,
                                              toolchain: { .failure(RuntimeError(code: "build_unavailable", message: "no compiler in this test")) })
        defer { repositories.close() }
        let document = Self.repositoryDocument(uri: source.path)
        repositories.prepare(for: Self.snapshot(document))
        _ = await repositories.pull("repo-lab")

        // First resolve queues the build; once built, the binary of the branch head runs.
        let key = repositories.builds.key(repositoryID: "repo-lab", file: "echo.py", commit: good)
        #expect(key.driverKitVersion == "exec")
        _ = repositories.executable(for: Self.driver(), repository: document)
        guard case .built(let built) = await repositories.builds.finished(key) else { Issue.record("v1 did not build"); return }
        #expect(built.metadata.name == "Echo v1")
        #expect(try repositories.executable(for: Self.driver(), repository: document).get() == built.executable)

        // A new head whose driver prints garbage for --metadata: still the v1 binary.
        let bad = try source.commit(["echo.py": pythonDriverScript(name: "", metadata: "not json")], executable: ["echo.py"], message: "v2")
        _ = await repositories.pull("repo-lab")
        _ = repositories.executable(for: Self.driver(), repository: document)
        let badKey = repositories.builds.key(repositoryID: "repo-lab", file: "echo.py", commit: bad)
        guard case .failed(let failure) = await repositories.builds.finished(badKey) else { Issue.record("v2 must fail"); return }
        #expect(failure.message == "`--metadata` printed no JSON object: not json")
        #expect(try repositories.executable(for: Self.driver(), repository: document).get() == built.executable)
        let report = repositories.buildReport(for: Self.driver(), repository: document)
        #expect(report.wanted == badKey && report.state?.name == "failed" && report.running?.commit == good)

        // A new DriverRepositories (a restart) still knows the last good binary.
        let restarted = DriverRepositories(stateDirectory: state, secretBox: SampleSecrets.box,
                                           toolchain: { .failure(RuntimeError(code: "build_unavailable", message: "none")) })
        defer { restarted.close() }
        restarted.prepare(for: Self.snapshot(document))
        _ = await restarted.pull("repo-lab")
        #expect(try restarted.executable(for: Self.driver(), repository: document).get() == built.executable)

        // Pinning the good commit, and "update available" for the pinned driver.
        #expect(try repositories.executable(for: Self.driver(commit: good.short), repository: document).get() == built.executable)
        let update = try #require(repositories.update(for: Self.driver(commit: good.hex), repository: document))
        #expect(update.pinned == good && update.head == bad && update.commits.map(\.subject) == ["v2"])
        #expect(repositories.update(for: Self.driver(), repository: document) == nil)

        // Queries for the REST routes.
        #expect(try repositories.branches("repo-lab") == ["main"])
        #expect(try repositories.defaultBranch("repo-lab") == "main")
        #expect(try repositories.commits("repo-lab", file: "echo.py").map(\.id) == [bad, good])
        #expect(try repositories.drivers("repo-lab", revision: good.hex).map(\.file) == ["echo.py"])
        #expect(try await repositories.details("repo-lab", file: "echo.py", revision: good.hex).name == "Echo v1")
    }

    @Test func aSwiftDriverWithoutACompilerFailsClearly() async throws {
        let source = try ScratchGitRepository()
        defer { source.remove() }
        let commit = try source.commit(["echo/main.swift": "DriverMain.run(Echo.self)\n", "echo/Echo.swift": "final class Echo {}\n"],
                                       message: "swift")
        let repositories = DriverRepositories(stateDirectory: source.root + "/state", secretBox: SampleSecrets.box,
                                              toolchain: { .failure(RuntimeError(code: "build_unavailable", message: "no swiftc here")) })
        defer { repositories.close() }
        let document = Self.repositoryDocument(uri: source.path)
        repositories.prepare(for: Self.snapshot(document))
        _ = await repositories.pull("repo-lab")
        let key = repositories.builds.key(repositoryID: "repo-lab", file: "echo/Echo.swift", commit: commit)
        guard case .failed(let failure) = await repositories.builds.finished(key) else { Issue.record("must fail"); return }
        #expect(failure.message == "Swift drivers cannot be built here: no swiftc here")
        guard case .failure(let error) = repositories.executable(for: Self.driver(file: "echo/Echo.swift"), repository: document) else {
            Issue.record("no binary"); return
        }
        #expect(error.message == "echo/Echo.swift at \(commit.short): Swift drivers cannot be built here: no swiftc here")
    }
}
