import ConfigRepo
import Foundation
import Testing
@testable import Runtime

@Suite struct DriverBuildCacheTests {
    let root = NSTemporaryDirectory() + "build-cache-\(UUID().uuidString)"
    var cache: DriverBuildCache { DriverBuildCache(root: root) }
    let key = DriverBuildKey(repositoryID: "repo-a", file: "echo/Echo.swift", commit: ObjectID(hex: String(repeating: "ab", count: 20))!,
                             driverKitVersion: "v1")

    @Test func keysSeparateRepositoryFileCommitAndDriverKit() {
        #expect(key.cachePath == "repo-a/echo_Echo_swift-\(String(repeating: "ab", count: 20))-v1")
        var other = key
        other.driverKitVersion = "v2"
        #expect(other.cachePath != key.cachePath)
        other = key
        other.commit = ObjectID(hex: String(repeating: "cd", count: 20))!
        #expect(other.cachePath != key.cachePath)
    }

    @Test func aPublishedBuildIsReadBack() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let temporary = try cache.makeTemporary(for: key)
        FileManager.default.createFile(atPath: temporary + "/driver", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
        let metadata = DriverMetadata(json: .object(["name": .string("Echo")]))
        try cache.publish(.built(BuiltDriver(key: key, executable: temporary + "/driver", metadata: metadata, output: "warning")),
                          for: key, from: temporary, executable: "driver")
        guard case .built(let built) = cache.result(for: key) else { Issue.record("not built"); return }
        #expect(built.executable == cache.directory(for: key) + "/driver")
        #expect(built.metadata.name == "Echo" && built.output == "warning")
        #expect(!FileManager.default.fileExists(atPath: temporary))
    }

    @Test func aHalfWrittenEntryIsNeverUsed() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A build that died before its rename: only the temporary exists.
        let temporary = try cache.makeTemporary(for: key)
        FileManager.default.createFile(atPath: temporary + "/driver", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
        #expect(cache.result(for: key) == nil)
        cache.removeTemporaries()
        #expect(!FileManager.default.fileExists(atPath: temporary))

        // A folder in place without its record, or with a broken one, or whose binary is gone.
        let folder = cache.directory(for: key)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        #expect(cache.result(for: key) == nil)
        #expect(!FileManager.default.fileExists(atPath: folder))
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("{\"state\": \"bui".utf8).write(to: URL(fileURLWithPath: folder + "/result.json"))
        #expect(cache.result(for: key) == nil)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("{\"state\": \"built\", \"executable\": \"driver\", \"metadata\": {\"name\": \"x\"}}".utf8)
            .write(to: URL(fileURLWithPath: folder + "/result.json"))
        #expect(cache.result(for: key) == nil)
    }

    @Test func aFailureKeepsTheOutputAndTheErrorsWithFileAndLine() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let output = """
            echo/Echo.swift:12:5: error: cannot find 'x' in scope
            echo/Echo.swift:12:5: error: cannot find 'x' in scope
            echo/main.swift:3:1: warning: unused
            error: fatalError
            """
        let diagnostics = CompilerDiagnostic.parse(output, root: "/tmp/tree")
        #expect(diagnostics.map(\.description) == ["echo/Echo.swift:12:5: error: cannot find 'x' in scope",
                                                   "echo/main.swift:3:1: warning: unused"])
        let temporary = try cache.makeTemporary(for: key)
        try cache.publish(.failed(DriverBuildFailure(key: key, message: "did not build", output: output, diagnostics: diagnostics)),
                          for: key, from: temporary, executable: nil)
        guard case .failed(let failure) = cache.result(for: key) else { Issue.record("not failed"); return }
        #expect(failure.diagnostics == diagnostics && failure.output == output)
        cache.remove(key)
        #expect(cache.result(for: key) == nil)
    }

    @Test func pathsUnderTheBuildFolderBecomeRepositoryPaths() {
        let diagnostics = CompilerDiagnostic.parse("/tmp/b/tree/echo/Echo.swift:3:9: error: boom", root: "/tmp/b/tree")
        #expect(diagnostics == [CompilerDiagnostic(file: "echo/Echo.swift", line: 3, column: 9, severity: "error", message: "boom")])
    }

    @Test func metadataMustLookLikeDriverMetadata() {
        #expect(DriverMetadataCheck.problem(in: .string("x")) == "expected a JSON object, found string")
        #expect(DriverMetadataCheck.problem(in: .object([:])) == "name: missing or not a string")
        #expect(DriverMetadataCheck.problem(in: .object(["name": .string("A"), "role": .int(7)]))?.hasPrefix("role:") == true)
        #expect(DriverMetadataCheck.problem(in: .object(["name": .string("A"), "functions": .array([])])) == "functions: must be an object")
        #expect(DriverMetadataCheck.problem(in: .object(["name": .string("A"), "role": .int(99), "functions": .object([:])])) == nil)
    }
}
