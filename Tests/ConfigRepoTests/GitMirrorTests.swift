import Foundation
import Testing
import TestSupport
@testable import ConfigRepo

@Suite struct GitMirrorTests {
    @Test func fetchesBranchesCommitsAndFilesFromALocalRepository() throws {
        let source = try ScratchGitRepository()
        defer { source.remove() }
        let first = try source.commit(["echo/Echo.swift": "v1", "README.md": "hi"], message: "echo v1")
        let readme = try source.commit(["README.md": "hello"], message: "readme")
        let second = try source.commit(["echo/Echo.swift": "v2", "tools/run.py": "#!/usr/bin/env python3\n"],
                                       executable: ["tools/run.py"], message: "echo v2\n\nbody")
        try source.git("branch", "feature")

        let mirror = try GitMirror.openOrCreate(at: source.root + "/mirror", url: source.path)
        var progressCalls = 0
        try mirror.fetch(url: source.path) { _ in progressCalls += 1; return true }
        #expect(try mirror.branches() == ["feature", "main"])
        #expect(mirror.defaultBranch() == "main")
        #expect(try mirror.head(ofBranch: "main") == second)
        #expect(try mirror.head(ofBranch: "nope") == nil)
        #expect(try mirror.resolve("main") == second)
        #expect(try mirror.resolve(String(first.hex.prefix(8))) == first)
        #expect(throws: GitError.self) { try mirror.resolve("no-such-branch") }
        #expect(throws: GitError.self) { try mirror.resolve("deadbeefdeadbeef") }

        let touching = try mirror.commits(from: second, touching: "echo/Echo.swift")
        #expect(touching.map(\.id) == [second, first])
        #expect(touching[0].subject == "echo v2" && touching[0].author.name == "Ada")
        #expect(try mirror.commits(from: second, touching: "echo").map(\.id) == [second, first])
        #expect(try mirror.commits(from: second).map(\.id) == [second, readme, first])
        #expect(try mirror.commits(from: second, limit: 1).map(\.id) == [second])
        #expect(try mirror.commits(from: second, notIn: first, touching: "echo").map(\.id) == [second])
        #expect(try mirror.contains(first, in: second) && !(try mirror.contains(second, in: first)))

        #expect(try mirror.file("echo/Echo.swift", at: first) == Array("v1".utf8))
        #expect(try mirror.file("echo/Missing.swift", at: first) == nil)
        let files = try mirror.files(at: second)
        #expect(files.map(\.path) == ["README.md", "echo/Echo.swift", "tools/run.py"])
        #expect(files.last?.mode == .executable)

        let export = source.root + "/export"
        try mirror.export(second, into: export)
        #expect(try String(contentsOfFile: export + "/echo/Echo.swift", encoding: .utf8) == "v2")
        #expect(FileManager.default.isExecutableFile(atPath: export + "/tools/run.py"))
        #expect(!FileManager.default.isExecutableFile(atPath: export + "/README.md"))
    }

    @Test func aSecondFetchBringsNewCommitsAndDropsDeletedBranches() throws {
        let source = try ScratchGitRepository()
        defer { source.remove() }
        _ = try source.commit(["a.txt": "1"], message: "one")
        try source.git("branch", "old")
        let mirror = try GitMirror.openOrCreate(at: source.root + "/mirror", url: source.path)
        try mirror.fetch(url: source.path)
        #expect(try mirror.branches() == ["main", "old"])
        let two = try source.commit(["a.txt": "2"], message: "two")
        try source.git("branch", "-D", "old")
        let reopened = try GitMirror.openOrCreate(at: source.root + "/mirror", url: source.path)
        try reopened.fetch(url: source.path)
        #expect(try reopened.branches() == ["main"])
        #expect(try reopened.head(ofBranch: "main") == two)
    }

    @Test func aMissingRemoteOrACancelledFetchSaysWhy() throws {
        let source = try ScratchGitRepository()
        defer { source.remove() }
        _ = try source.commit(["a.txt": "1"], message: "one")
        let mirror = try GitMirror.openOrCreate(at: source.root + "/mirror", url: source.root + "/nowhere")
        #expect(throws: GitError.self) { try mirror.fetch(url: source.root + "/nowhere") }
        do {
            try mirror.fetch(url: source.path) { _ in false }
            Issue.record("a fetch whose progress says stop must fail")
        } catch {
            #expect(error.message == "cancelled")
        }
    }

    @Test func linksLeavingTheTreeAreNotExported() {
        #expect(GitMirror.staysInside(link: "a/b", destination: "../c"))
        #expect(!GitMirror.staysInside(link: "a/b", destination: "../../c"))
        #expect(!GitMirror.staysInside(link: "a", destination: "/etc/passwd"))
        #expect(!GitMirror.isSafeName("..") && !GitMirror.isSafeName(".GIT") && GitMirror.isSafeName("a.txt"))
    }
}
