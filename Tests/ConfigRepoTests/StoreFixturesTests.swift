import Foundation
import Synchronization
import Testing
@testable import ConfigRepo

/// Runs the real `git` CLI with a fixed identity and no user/system config.
@discardableResult
func runGit(_ arguments: [String], in directory: String, home: String = NSTemporaryDirectory()) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var environment = ProcessInfo.processInfo.environment
    environment["GIT_CONFIG_NOSYSTEM"] = "1"
    environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
    environment["GIT_AUTHOR_NAME"] = "Engineer"
    environment["GIT_AUTHOR_EMAIL"] = "engineer@example.com"
    environment["GIT_COMMITTER_NAME"] = "Engineer"
    environment["GIT_COMMITTER_EMAIL"] = "engineer@example.com"
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A store created from a few files, with its directories.
struct StoreFixture {
    let source = TemporaryDirectory()
    let root = TemporaryDirectory()
    let store: ConfigStore
    var path: String { root.path + "/repo" }

    init(files: [String: String] = ["systems/sys-a.json": "{\"name\": \"A\"}\n",
                                     "systems/sys-b.json": "{\"name\": \"B\"}\n",
                                     "zones/zone-1.json": "{\"name\": \"Z\"}\n",
                                     "backoffice.json": "{}\n"],
         packCheckInterval: Int = 0) throws {
        for (name, text) in files { source.write(name, text) }
        _ = try ConfigStore.create(at: root.path + "/repo", from: source.path, message: "Initial configuration")
        store = try ConfigStore(path: root.path + "/repo", packCheckInterval: packCheckInterval)
    }

    /// `git status --porcelain` output (empty when clean).
    func status() throws -> String { try runGit(["status", "--porcelain"], in: path).output }

    /// `git fsck --strict` exit status and output, once the store's background packer is
    /// idle (a merge deleting packs under fsck's feet is not corruption).
    func fsck() throws -> (status: Int32, output: String) {
        store.waitForPacker()
        return try runGit(["fsck", "--strict"], in: path)
    }

    /// `git fsck --full --strict`, then `git verify-pack` of every pack: the failures' output.
    func deepCheck() throws -> [String] {
        store.waitForPacker()
        var failures: [String] = []
        let fsck = try runGit(["fsck", "--full", "--strict"], in: path)
        if fsck.status != 0 { failures.append("fsck: \(fsck.output)") }
        let packDirectory = path + "/.git/objects/pack"
        for index in try FileManager.default.contentsOfDirectory(atPath: packDirectory) where index.hasSuffix(".idx") {
            let verify = try runGit(["verify-pack", packDirectory + "/" + index], in: path)
            if verify.status != 0 { failures.append("\(index): \(verify.output)") }
        }
        return failures
    }

    /// The text of a file at the branch head.
    func text(_ file: String) throws -> String? {
        guard let head = store.head(), let found = try store.file(at: head, path: file) else { return nil }
        return String(decoding: found.bytes, as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    init(text: String) { self = Array(text.utf8) }
}

/// Collects values from any thread.
final class Collector<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])

    func append(_ value: Value) {
        values.withLock { $0.append(value) }
    }

    var all: [Value] {
        values.withLock { $0 }
    }

    /// Waits up to `seconds` until `condition` holds for the collected values.
    func wait(seconds: Double = 3, until condition: ([Value]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(all) { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return condition(all)
    }
}
