import Foundation
import Testing
@testable import ConfigRepo

/// The object database reads what git writes (loose objects, packs with offset and ref
/// deltas) byte for byte as `git cat-file` does.
@Suite struct ObjectDatabaseTests {
    @Test func readsGitsOwnPacksAndLooseObjectsAsGitDoes() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/r"
        #expect(try runGit(["init", "-q", "-b", "main", path], in: directory.path).status == 0)
        var text = ""
        for round in 0..<30 {
            text += "line \(round): \(String(repeating: "configuration ", count: 8))\n"
            directory.write("r/file.txt", text)
            directory.write("r/dir/other-\(round % 4).json", "{\"round\": \(round)}\n")
            directory.write("r/empty", "")
            #expect(try runGit(["add", "-A"], in: path).status == 0)
            #expect(try runGit(["commit", "-q", "-m", "round \(round)"], in: path).status == 0)
            // Half-way, pack everything with deep delta chains; later commits stay loose.
            if round == 20 { #expect(try runGit(["repack", "-q", "-a", "-d", "-f", "--depth=50", "--window=50"], in: path).status == 0) }
        }
        let database = ObjectDatabase.of(gitDirectory: path + "/.git", honouringGitEnvironment: false)
        #expect(database.currentPacks.count == 1)
        let listed = try runGit(["rev-list", "--objects", "--all"], in: path).output.split(separator: "\n")
        let ids = listed.compactMap { ObjectID(hex: String($0.prefix(40))) }
        #expect(ids.count > 100)
        for id in ids {
            let object = try database.read(id)
            let type = try runGit(["cat-file", "-t", id.hex], in: path).output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(object.type.name == type)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
            process.arguments = ["cat-file", type, id.hex]
            process.currentDirectoryURL = URL(fileURLWithPath: path)
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let bytes = [UInt8](pipe.fileHandleForReading.readDataToEndOfFile())
            process.waitUntilExit()
            #expect(object.bytes == bytes, "\(id.hex)")
            #expect(object.bytes.withUnsafeBytes { ObjectID.of(object.type, $0, using: SHA1()) } == id)
        }
        // A missing object is reported as such.
        let missing = ObjectID(hex: String(repeating: "ab", count: 20))!
        #expect(try database.readIfPresent(missing) == nil)
        #expect(!database.contains(missing))
    }

    @Test func aPackWrittenByAnotherProcessIsFoundWhenAnObjectIsMissing() throws {
        let fixture = try StoreFixture()
        let reader = ObjectDatabase.of(gitDirectory: fixture.path + "/.git", honouringGitEnvironment: false)
        let packsBefore = reader.currentPacks.count
        let commit = try fixture.store.commit([.put("systems/sys-c.json", Array(text: "{}\n"))], author: .backoffice, message: "c")
        #expect(reader.currentPacks.count == packsBefore)
        #expect(try reader.commitInfo(commit.id).subject == "c")
        #expect(reader.currentPacks.count == packsBefore + 1)
    }
}

/// The path-history index: recorded as commits land, kept across restarts, learnt for
/// commits others made, and never trusted past a torn record.
@Suite struct PathHistoryIndexTests {
    @Test func historyComesFromTheIndexAcrossRestartsAndLearnsOtherCommits() throws {
        let fixture = try StoreFixture()
        let cache = TemporaryDirectory()
        let store = try ConfigStore(path: fixture.path, cacheDirectory: cache.path)
        var edits: [ObjectID] = []
        for round in 0..<5 {
            edits.append(try store.commit([.put("systems/sys-a.json", Array(text: "{\"n\": \(round)}\n"))],
                                          author: .backoffice, message: "a \(round)").id)
            _ = try store.commit([.put("zones/zone-1.json", Array(text: "{\"n\": \(round)}\n"))], author: .backoffice, message: "z")
        }
        let initial = try #require(try store.commitInfo(edits[0]).parents.first)
        let expected = edits.reversed() + [initial]
        #expect(try store.history(of: "systems/sys-a.json").map(\.id) == expected)

        // A new index over the same file knows every commit without reading one (the first,
        // made before the cache existed, was learnt by the history above).
        var learnt: [ObjectID] = []
        let index = PathHistoryIndex(file: cache.path + "/" + PathHistoryIndex.fileName)
        let head = try #require(store.head())
        let found = try index.commits(changing: "systems/sys-a.json", from: head, limit: nil, learn: { commit in
            learnt.append(commit)
            return (nil, nil)
        }, holds: { _ in true })
        #expect(found == expected && learnt.isEmpty)

        // A commit made with the git CLI is learnt on first use, then known.
        fixture.root.write("repo/systems/sys-a.json", "{\"by\": \"hand\"}\n")
        #expect(try runGit(["commit", "-q", "-am", "by hand"], in: fixture.path).status == 0)
        let restarted = try ConfigStore(path: fixture.path, cacheDirectory: cache.path)
        let history = try restarted.history(of: "systems/sys-a.json")
        #expect(history.count == 7 && history[0].subject == "by hand")
        #expect(try restarted.history(of: "systems/sys-a.json", limit: 2).map(\.id) == history.prefix(2).map(\.id))
    }

    @Test func aTornOrCorruptTailIsCutOff() throws {
        let cache = TemporaryDirectory()
        let file = cache.path + "/" + PathHistoryIndex.fileName
        let a = ObjectID(hex: String(repeating: "a", count: 40))!
        let b = ObjectID(hex: String(repeating: "b", count: 40))!
        let c = ObjectID(hex: String(repeating: "c", count: 40))!
        let writer = PathHistoryIndex(file: file)
        writer.record(a, (nil, nil))
        writer.record(b, (a, ["x.json"]))
        let whole = try #require(FileManager.default.contents(atPath: file))
        writer.record(c, (b, ["y.json"]))
        // Kill mid-append: the last record is cut short.
        let full = try #require(FileManager.default.contents(atPath: file))
        try full.prefix(full.count - 3).write(to: URL(fileURLWithPath: file))
        var learnt: [ObjectID] = []
        func learn(_ commit: ObjectID) -> PathHistoryIndex.Change {
            learnt.append(commit)
            return (b, ["y.json"])
        }
        let reader = PathHistoryIndex(file: file)
        #expect(reader.commits(changing: "x.json", from: c, limit: nil, learn: learn, holds: { $0 == a }) == [b, a])
        #expect(learnt == [c])
        // The torn record was cut off, and the learnt one appended in its place.
        let repaired = try #require(FileManager.default.contents(atPath: file))
        #expect(repaired.prefix(whole.count) == whole && repaired.count == full.count)

        // A flipped byte fails the record's checksum: it and what follows are dropped.
        var corrupt = [UInt8](whole)
        corrupt[corrupt.count - 6] ^= 0xff
        try Data(corrupt).write(to: URL(fileURLWithPath: file))
        learnt = []
        #expect(PathHistoryIndex(file: file).commits(changing: "x.json", from: b, limit: nil, learn: { commit in
            learnt.append(commit)
            return (a, ["x.json"])
        }, holds: { $0 == a }) == [b, a])
        #expect(learnt == [b])
    }
}
