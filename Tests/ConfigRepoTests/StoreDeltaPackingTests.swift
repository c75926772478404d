import Foundation
import Testing
@testable import ConfigRepo

/// The packer's own pack format: deltas between versions of a path, packing beside writers.
@Suite struct StoreDeltaPackingTests {
    @Test func aPrefixSuffixDeltaRebuildsTheTarget() throws {
        let base = Array(text: String(repeating: "{\"capacity\": 8, \"name\": \"Room\"}\n", count: 40))
        var target = base
        target.replaceSubrange(600..<602, with: Array(text: "12345"))
        let delta = try #require(base.withUnsafeBytes { b in target.withUnsafeBytes { PrefixSuffixDelta.make(base: b, target: $0) } })
        #expect(delta.count < 40)
        #expect(try Self.apply(delta, to: base) == target)
        // A target that shares nothing with its base is not worth a delta.
        let unrelated = Array(text: String(repeating: "x", count: 300))
        #expect(base.withUnsafeBytes { b in unrelated.withUnsafeBytes { PrefixSuffixDelta.make(base: b, target: $0) } } == nil)
        // Long inserts and copies are split into pieces git accepts.
        let big = [UInt8](repeating: 7, count: 200_000)
        var bigger = big
        bigger.insert(contentsOf: [UInt8](repeating: 1, count: 300), at: 150_000)
        let bigDelta = try #require(big.withUnsafeBytes { b in bigger.withUnsafeBytes { PrefixSuffixDelta.make(base: b, target: $0) } })
        #expect(try Self.apply(bigDelta, to: big) == bigger)
    }

    @Test func successiveVersionsAreStoredAsShortDeltaChains() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let filler = String(repeating: "\"padding\": \"the same text in every version\", ", count: 30)
        var last = ""
        for index in 0..<100 {
            last = "{\(filler)\"n\": \(index)}\n"
            _ = try store.commit([.put("systems/sys-a.json", Array(text: last))], author: .backoffice, message: "edit \(index)")
        }
        let report = try #require(try store.packAll())
        #expect(report.packsRemoved == 101 && store.packCount == 1)

        let packDirectory = fixture.path + "/.git/objects/pack"
        let index = try #require(try FileManager.default.contentsOfDirectory(atPath: packDirectory)
            .filter { $0.hasSuffix(".idx") }.map { packDirectory + "/" + $0 }
            .max { Self.size($0) < Self.size($1) })
        let verify = try runGit(["verify-pack", "-v", index], in: fixture.path)
        #expect(verify.status == 0, "\(verify.output)")
        // `verify-pack -v` lists a delta's depth and base after its sizes.
        let depths = verify.output.split(separator: "\n").compactMap { line -> Int? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return fields.count == 7 && fields[0].count == 40 ? Int(fields[5]) : nil
        }
        // The file from its second version on (its trees here are too small to be worth it).
        #expect(depths.count >= 90)
        #expect(depths.max()! <= PackMerger.maxDeltaDepth)
        #expect(Self.size(String(index.dropLast(4)) + ".pack") < 40_000)
        #expect(try fixture.text("systems/sys-a.json") == last)
        #expect(try runGit(["fsck", "--full", "--strict"], in: fixture.path).status == 0)
    }

    @Test func packingBesideWritersLosesNothing() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let writers = 3, commitsEach = 120
        let failures = Collector<String>()
        let group = DispatchGroup()
        // The writers wait at their 40th commit until a pack has been written, so packing
        // surely overlaps the rest of their writes.
        let packed = DispatchSemaphore(value: 0)
        for writer in 0..<writers {
            group.enter()
            Thread {
                defer { group.leave() }
                for index in 0..<commitsEach {
                    if index == 40 { packed.wait() }
                    do {
                        _ = try store.commit([.put("systems/w\(writer)/f\(index % 9).json", Array(text: "{\"v\": \(index)}\n"))],
                                             author: .backoffice, message: "w\(writer) \(index)")
                    } catch {
                        failures.append("\(error)")
                    }
                }
            }.start()
        }
        // Merges every pack while the writers run.
        var runs = 0
        while group.wait(timeout: .now()) == .timedOut {
            if try store.packAll() != nil {
                runs += 1
                if runs == 1 { for _ in 0..<writers { packed.signal() } }
            }
            #expect(try fixture.text("systems/sys-a.json") == "{\"name\": \"A\"}\n")
        }
        #expect(failures.all.isEmpty)
        #expect(runs > 0)
        let objectsBefore = try runGit(["rev-list", "--objects", "--all"], in: fixture.path).output.split(separator: "\n").count
        _ = try store.packAll()
        #expect(store.packCount == 1 && store.looseObjectCount() == 0)
        let fsck = try runGit(["fsck", "--full", "--strict"], in: fixture.path)
        #expect(fsck.status == 0, "\(fsck.output)")
        let objectsAfter = try runGit(["rev-list", "--objects", "--all"], in: fixture.path).output.split(separator: "\n").count
        #expect(objectsAfter == objectsBefore)
        #expect(try store.history(of: "systems/w1/f0.json").count == commitsEach / 9 + 1)
        let lastOfF3 = (0..<commitsEach).last { $0 % 9 == 3 }!
        #expect(try fixture.text("systems/w2/f3.json") == "{\"v\": \(lastOfF3)}\n")
    }

    private static func size(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// Applies a git delta (copy and insert opcodes) to `base`.
    private static func apply(_ delta: [UInt8], to base: [UInt8]) throws -> [UInt8] {
        var position = 0
        func size() -> Int {
            var value = 0, shift = 0
            while true {
                let byte = delta[position]
                position += 1
                value |= Int(byte & 0x7f) << shift
                shift += 7
                if byte & 0x80 == 0 { return value }
            }
        }
        #expect(size() == base.count)
        let targetSize = size()
        var output: [UInt8] = []
        while position < delta.count {
            let opcode = delta[position]
            position += 1
            if opcode & 0x80 != 0 {
                var offset = 0, length = 0
                for bit in 0..<4 where opcode & (1 << bit) != 0 {
                    offset |= Int(delta[position]) << (8 * bit)
                    position += 1
                }
                for bit in 0..<3 where opcode & (0x10 << bit) != 0 {
                    length |= Int(delta[position]) << (8 * bit)
                    position += 1
                }
                if length == 0 { length = 0x10000 }
                output.append(contentsOf: base[offset..<(offset + length)])
            } else {
                let count = Int(opcode)
                try #require(count > 0)
                output.append(contentsOf: delta[position..<(position + count)])
                position += count
            }
        }
        #expect(output.count == targetSize)
        return output
    }
}
