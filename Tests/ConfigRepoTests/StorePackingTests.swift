import Foundation
import Testing
@testable import ConfigRepo

/// Commits written as packs, merged by size class, and the loose objects the git CLI leaves.
@Suite struct StorePackingTests {
    static func packNames(_ repo: String) -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: repo + "/.git/objects/pack")) ?? []
        return Set(names.filter { $0.hasSuffix(".pack") })
    }

    @Test func commitsArePacksThatPackingMergesWithoutLosingAnything() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        var commits: [ObjectID] = []
        for index in 0..<60 {
            commits.append(try store.commit([.put("systems/s\(index % 7).json", Array(text: "{\"n\": \(index)}\n"))],
                                            author: .backoffice, message: "c\(index)").id)
        }
        // No loose object: each commit is one pack (the first commit's included).
        #expect(store.looseObjectCount() == 0)
        #expect(Self.packNames(fixture.path).count == 61)
        // An unreachable object must survive packing (it is packed, not dropped).
        let batch = ObjectBatch(database: store.objects)
        let orphan = batch.add(.blob, Array(text: "orphan"))
        try batch.flush(deflater: Deflater())

        let report = try #require(try store.packAll())
        #expect(report.packsRemoved == 62 && report.looseBefore == 0)
        #expect(Self.packNames(fixture.path).count == 1 && store.packCount == 1)
        #expect(try fixture.fsck().status == 0)
        #expect(try runGit(["fsck", "--full", "--strict", "--no-dangling"], in: fixture.path).status == 0)
        #expect(try store.blob(orphan) == Array(text: "orphan"))
        #expect(try store.files(at: commits[10]).first { $0.path == "systems/s3.json" }?.bytes == Array(text: "{\"n\": 10}\n"))
        #expect(try store.history(of: "systems/s0.json").count == 9)
        // A second store of the same repository, which still lists the removed packs, reads on.
        #expect(try ConfigStore(path: fixture.path).files(at: commits[59]).count == 11)
        #expect(try fixture.status() == "")
        #expect(try store.packAll() == nil)
    }

    @Test func looseObjectsTheGitCLIWroteArePackedAndRemoved() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        fixture.root.write("repo/zones/zone-2.json", "{\"name\": \"Two\"}\n")
        #expect(try runGit(["add", "zones/zone-2.json"], in: fixture.path).status == 0)
        #expect(try runGit(["commit", "-q", "-m", "by hand"], in: fixture.path).status == 0)
        let loose = store.looseObjectCount()
        #expect(loose >= 3)
        #expect(try fixture.text("zones/zone-2.json") == "{\"name\": \"Two\"}\n")
        #expect(try store.packIfNeeded(looseThreshold: loose) == nil)
        let report = try #require(try store.packIfNeeded(looseThreshold: 0))
        #expect(report.looseBefore == loose && report.looseRemoved == loose)
        #expect(store.looseObjectCount() == 0)
        #expect(try fixture.text("zones/zone-2.json") == "{\"name\": \"Two\"}\n")
        _ = try store.commit([.put("zones/zone-3.json", Array(text: "{}\n"))], author: .backoffice, message: "after")
        #expect(try fixture.fsck().status == 0)
    }

    @Test func commitsAreMergedInTheBackgroundAndPacksStayFew() async throws {
        let source = TemporaryDirectory(), root = TemporaryDirectory()
        source.write("a.json", "{}")
        _ = try ConfigStore.create(at: root.path + "/r", from: source.path, message: "init")
        let store = try ConfigStore(path: root.path + "/r", packCheckInterval: 4)
        for index in 0..<200 {
            _ = try store.commit([.put("d/f\(index % 5).json", Array(text: "\(index)"))], author: .backoffice, message: "\(index)")
        }
        // Waits for the background run to end; then no size class is full.
        _ = try store.packIfNeeded(looseThreshold: .max)
        #expect(PackMerger(database: store.objects).nextMerge() == nil)
        #expect(store.packCount < 3 * PackMerger.fanIn)
        #expect(Self.packNames(root.path + "/r").count == store.packCount)
        #expect(try runGit(["fsck", "--full", "--strict"], in: root.path + "/r").status == 0)
        #expect(try store.history(of: "d/f1.json").count == 40)
    }

    @Test func theBackgroundPackerPacksLooseObjectsOthersLeft() throws {
        let fixture = try StoreFixture()
        // An engineer stages many files: git writes each as a loose object.
        for index in 0..<(ConfigStore.looseThreshold + 50) {
            fixture.root.write("repo/drafts/d\(index).txt", "draft \(index)\n")
        }
        #expect(try runGit(["add", "drafts"], in: fixture.path).status == 0)
        let loose = fixture.store.looseObjectCount()
        #expect(loose > ConfigStore.looseThreshold)
        let store = try ConfigStore(path: fixture.path, packCheckInterval: 1)
        _ = try store.commit([.put("zones/zone-2.json", Array(text: "{}\n"))], author: .backoffice, message: "a commit")
        _ = try store.packIfNeeded(looseThreshold: .max)  // waits for the background run
        #expect(store.looseObjectCount() == 0)
        #expect(try runGit(["fsck", "--strict"], in: fixture.path).status == 0)
        #expect(try runGit(["cat-file", "-p", ":drafts/d7.txt"], in: fixture.path).output == "draft 7\n")
    }

    @Test func sizeClassesGrowByEight() {
        #expect(PackMerger.sizeClass(ofObjectCount: 0) == 0)
        #expect(PackMerger.sizeClass(ofObjectCount: 5) == 0)
        #expect(PackMerger.sizeClass(ofObjectCount: 7) == 0)
        #expect(PackMerger.sizeClass(ofObjectCount: 8) == 1)
        #expect(PackMerger.sizeClass(ofObjectCount: 63) == 1)
        #expect(PackMerger.sizeClass(ofObjectCount: 64) == 2)
        #expect(PackMerger.sizeClass(ofObjectCount: 62_302) == 5)
    }
}
