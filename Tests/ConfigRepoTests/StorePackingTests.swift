import Foundation
import Testing
@testable import ConfigRepo

@Suite struct StorePackingTests {
    @Test func packingRemovesLooseObjectsAndKeepsEverythingReadable() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        var commits: [ObjectID] = []
        for index in 0..<60 {
            commits.append(try store.commit([.put("systems/s\(index % 7).json", Array(text: "{\"n\": \(index)}\n"))],
                                            author: .backoffice, message: "c\(index)").id)
        }
        // An unreachable object must survive packing (it is packed, not dropped).
        let orphan = try store.withRepository { repo in ObjectID(try repo.writeBlob(Array(text: "orphan"))) }
        let looseBefore = store.looseObjectCount()
        #expect(looseBefore > 200)
        #expect(try store.packIfNeeded(looseThreshold: looseBefore + 1) == nil)

        let report = try #require(try store.packIfNeeded(looseThreshold: 10))
        #expect(report.looseRemoved == looseBefore)
        #expect(store.looseObjectCount() == 0)
        #expect(try fixture.fsck().status == 0)
        #expect(try store.blob(orphan) == Array(text: "orphan"))
        #expect(try store.files(at: commits[10]).first { $0.path == "systems/s3.json" }?.bytes == Array(text: "{\"n\": 10}\n"))
        #expect(try store.history(of: "systems/s0.json").count == 9)

        // Writes continue, and a second pack replaces the first.
        for index in 0..<20 {
            _ = try store.commit([.put("zones/z\(index).json", [UInt8(index)])], author: .backoffice, message: "z\(index)")
        }
        // An incremental run adds a second pack of the new loose objects only.
        let second = try #require(try store.packIfNeeded(looseThreshold: 10))
        #expect(!second.consolidated && second.packsRemoved == 0 && second.packedObjects == second.looseBefore)
        #expect(store.looseObjectCount() == 0)
        #expect(try fixture.fsck().status == 0)
        for index in 0..<5 {
            _ = try store.commit([.put("zones/y\(index).json", [UInt8(index)])], author: .backoffice, message: "y\(index)")
        }
        // With two packs and consolidateAtPacks 2, the smaller pack and the loose objects merge
        // into one new pack; the largest (the base) is never rewritten.
        let packDirectory = fixture.path + "/.git/objects/pack"
        func packs() throws -> Set<String> {
            Set(try FileManager.default.contentsOfDirectory(atPath: packDirectory).filter { $0.hasSuffix(".pack") })
        }
        func size(_ pack: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: packDirectory + "/" + pack)[.size] as? Int) ?? 0 }
        let before = try packs()
        let base = try #require(before.max { size($0) < size($1) })
        let third = try #require(try store.packIfNeeded(looseThreshold: 1, consolidateAtPacks: 2))
        #expect(third.consolidated && third.packsRemoved == 1)
        let after = try packs()
        #expect(after.count == 2 && after.contains(base))
        #expect(try fixture.fsck().status == 0)
        #expect(try store.blob(orphan) == Array(text: "orphan"))
        #expect(try fixture.text("zones/z19.json") != nil)
        #expect(try fixture.status() == "")
    }

    @Test func commitsPackAutomaticallyInTheBackground() throws {
        let source = TemporaryDirectory(), root = TemporaryDirectory()
        source.write("a.json", "{}")
        _ = try ConfigStore.create(at: root.path + "/r", from: source.path, message: "init")
        let store = try ConfigStore(path: root.path + "/r", packCheckInterval: 50, packThreshold: 100)
        for index in 0..<120 {
            _ = try store.commit([.put("d/f\(index % 5).json", Array(text: "\(index)"))], author: .backoffice, message: "\(index)")
        }
        let deadline = Date().addingTimeInterval(5)
        while store.looseObjectCount() > 300, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(store.looseObjectCount() < 300)
        #expect(try runGit(["fsck", "--strict"], in: root.path + "/r").status == 0)
    }
}
