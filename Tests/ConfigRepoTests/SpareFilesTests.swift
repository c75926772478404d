import Foundation
import Testing
@testable import ConfigRepo

/// Merged packs and replaced branch files are written again instead of deleted, never while
/// anything still reads them.
@Suite struct SpareFilesTests {
    private static func inode(_ path: String) -> UInt64? {
        var status = stat()
        return stat(path, &status) == 0 ? UInt64(status.st_ino) : nil
    }

    @Test func aSpareIsReusedOnlyOnceNothingHoldsIt() throws {
        let directory = TemporaryDirectory()
        let spares = SpareFiles(gitDirectory: directory.path)
        directory.write("old.pack", String(repeating: "old pack ", count: 100))
        let retiredInode = try #require(Self.inode(directory.path + "/old.pack"))
        // A reader (git, another store) still has the old pack open.
        let reader = try #require(FileHandle(forReadingAtPath: directory.path + "/old.pack"))
        spares.retire(directory.path + "/old.pack")
        #expect(FileManager.default.fileExists(atPath: directory.path + "/old.pack") == false)
        let busy = try spares.take()
        #expect(Self.inode(busy.path) != retiredInode)
        #expect(reader.readData(ofLength: 8) == Data("old pack".utf8))
        spares.giveBack(busy.descriptor, path: busy.path)
        reader.closeFile()
        // Now it is free: taken, written from the start, and the old bytes are gone once cut.
        Thread.sleep(forTimeInterval: 1.1)  // the spares are listed again at most once a second
        var taken: [SpareFiles.Taken] = []
        for _ in 0..<2 { taken.append(try spares.take()) }
        let reused = try #require(taken.first { Self.inode($0.path) == retiredInode })
        #expect(reused.size == 900)
        _ = Array("new".utf8).withUnsafeBytes { write(reused.descriptor, $0.baseAddress, $0.count) }
        ftruncate(reused.descriptor, 3)
        #expect(FileManager.default.contents(atPath: reused.path) == Data("new".utf8))
        for spare in taken { spares.giveBack(spare.descriptor, path: spare.path) }
    }

    @Test func aFileWithASecondNameIsNeverTaken() throws {
        let directory = TemporaryDirectory()
        let spares = SpareFiles(gitDirectory: directory.path)
        directory.write("main", "live branch\n")
        // Kept just before a replacement that never came (a writer killed in between).
        spares.keep(directory.path + "/main")
        Thread.sleep(forTimeInterval: 1.1)
        let taken = try spares.take()
        #expect(Self.inode(taken.path) != Self.inode(directory.path + "/main"))
        spares.giveBack(taken.descriptor, path: taken.path)
        #expect(directory.read("main") == "live branch\n")
    }

    @Test func commitsWriteTheFilesOfMergedPacksAndReplacedBranchFilesAgain() throws {
        let fixture = try StoreFixture()
        // Merges in the background every fourth commit, as the server does every eighth.
        let store = try ConfigStore(path: fixture.path, packCheckInterval: 4)
        let git = fixture.path + "/.git"
        func inodes() throws -> Set<UInt64> {
            var found: Set<UInt64> = [try #require(Self.inode(git + "/refs/heads/main"))]
            for directory in [git + "/objects/pack", git + "/backoffice-spare-files"] {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                    if let inode = Self.inode(directory + "/" + name) { found.insert(inode) }
                }
            }
            return found
        }
        var seen: Set<UInt64> = []
        for round in 0..<120 {
            _ = try store.commit([.put("systems/sys-a.json", Array(text: "{\"n\": \(round)}\n"))], author: .backoffice, message: "\(round)")
            seen.formUnion(try inodes())
            if round == 39 { _ = try store.packIfNeeded(looseThreshold: .max) }
        }
        // 120 commits wrote 240 pack files and 120 lock files; past the first 40 commits, the
        // files are those of merged packs and replaced branch files again, with a few new
        // ones while a merged pack was still being read.
        let afterWarmUp = seen.count
        for round in 120..<200 {
            _ = try store.commit([.put("systems/sys-a.json", Array(text: "{\"n\": \(round)}\n"))], author: .backoffice, message: "\(round)")
            seen.formUnion(try inodes())
        }
        #expect(seen.count - afterWarmUp < 40, "\(seen.count - afterWarmUp) new files for 80 commits")
        _ = try store.packIfNeeded(looseThreshold: .max)
        #expect(try fixture.deepCheck() == [])
        #expect(try runGit(["log", "--oneline"], in: fixture.path).output.split(separator: "\n").count == 201)
        #expect(try fixture.text("systems/sys-a.json") == "{\"n\": 199}\n")
    }
}
