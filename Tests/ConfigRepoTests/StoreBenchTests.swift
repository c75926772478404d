import Foundation
import Testing
@testable import ConfigRepo

/// Measurements on a synthetic repository of the benchmark's shape (10,000 systems, 50,000
/// modules, 2,000 zones, 300 drivers). Off unless `STORE_BENCH=1`; run in release:
/// `STORE_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter StoreBench`.
/// `STORE_BENCH_COMMITS` sets how many one-file commits to time (default 10,000).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["STORE_BENCH"] == "1"))
struct StoreBenchTests {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func du(_ path: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/du")
        process.arguments = ["-sh", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try? process.run()
        process.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\t").first.map(String.init) ?? "?"
    }

    @Test func benchmark() throws {
        let environment = ProcessInfo.processInfo.environment
        let commitCount = Int(environment["STORE_BENCH_COMMITS"] ?? "") ?? 10_000
        let divisor = Int(environment["STORE_BENCH_DIVISOR"] ?? "") ?? 1
        let background = environment["STORE_BENCH_BACKGROUND"] == "1"
        // STORE_BENCH_SHARDED=1 puts each file in one of 256 subdirectories
        // (`modules/3f/mod-1.json`), to compare with the flat layout.
        let sharded = environment["STORE_BENCH_SHARDED"] == "1"
        func file(_ directory: String, _ prefix: String, _ index: Int) -> String {
            sharded ? "\(directory)/\(String(format: "%02x", index % 256))/\(prefix)-\(index).json"
                : "\(directory)/\(prefix)-\(index).json"
        }
        let source = TemporaryDirectory(), root = TemporaryDirectory()
        let kinds = [("systems", "sys", 10_000 / divisor), ("modules", "mod", 50_000 / divisor),
                     ("zones", "zone", 2_000 / divisor), ("drivers", "driver", 300 / divisor)]
        for (directory, prefix, count) in kinds {
            for index in 0..<count {
                let text = "{\n  \"id\": \"\(prefix)-\(index)\",\n  \"name\": \"\(prefix) number \(index)\",\n  \"notes\": \"\(String(repeating: "x", count: 120))\",\n  \"port\": \(index % 65536)\n}\n"
                let full = source.path + "/" + file(directory, prefix, index)
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                _ = FileManager.default.createFile(atPath: full, contents: Data(text.utf8))
            }
        }
        let path = root.path + "/repo"
        let createTime = try Self.seconds { _ = try ConfigStore.create(at: path, from: source.path, message: "init") }
        print("bench: shape 1/\(divisor), sharded: \(sharded), background working tree: \(background)")
        print("bench: create \(kinds.map(\.2).reduce(0, +)) files: \(createTime) s, .git \(Self.du(path + "/.git"))")
        let store = try ConfigStore(path: path,
                                    workingTreeUpdate: background ? .background : .immediate)
        let head = try #require(store.head())
        var files: [RepoFile] = []
        let looseRead = try Self.seconds { files = try store.files(at: head) }
        print("bench: files(at:) first: \(looseRead) s for \(files.count) files")
        var packReport: PackReport?
        let initialPack = try Self.seconds { packReport = try store.packAll() }
        print("bench: initial pack \(initialPack) s: \(String(describing: packReport)), .git \(Self.du(path + "/.git"))")
        let store2 = try ConfigStore(path: path)
        for run in 0..<3 {
            let packedRead = try Self.seconds { files = try store2.files(at: head) }
            print("bench: files(at:) packed run \(run): \(packedRead) s for \(files.count) files")
        }

        var latencies: [Double] = []
        latencies.reserveCapacity(commitCount)
        let total = try Self.seconds {
            for index in 0..<commitCount {
                let file = index % 2 == 0 ? file("modules", "mod", index % kinds[1].2) : file("systems", "sys", index % kinds[0].2)
                let latency = try Self.seconds {
                    _ = try store.commit([.put(file, Array("{\"edit\": \(index)}\n".utf8))],
                                         author: Signature(name: "Bench", email: "bench@localhost"), message: "edit \(index)")
                }
                latencies.append(latency)
                if (index + 1) % 1000 == 0 {
                    print("bench: \(index + 1) commits, \(store.packCount) packs, .git \(Self.du(path + "/.git"))")
                }
            }
        }
        latencies.sort()
        print("bench: \(commitCount) commits in \(total) s = \(Double(commitCount) / total)/s; p50 \(latencies[latencies.count / 2] * 1000) ms, p99 \(latencies[latencies.count * 99 / 100] * 1000) ms")
        store.waitForWorkingTree()
        print("bench: git status lines after commits: \(try runGit(["status", "--porcelain"], in: path).output.split(separator: "\n").count)")
        Thread.sleep(forTimeInterval: 2)
        print("bench: after commits: \(store.packCount) packs, .git \(Self.du(path + "/.git"))")
        var final: PackReport?
        let finalPack = try Self.seconds { final = try store.packAll() }
        print("bench: final pack \(finalPack) s: \(String(describing: final)), .git \(Self.du(path + "/.git"))")
        var history: [CommitInfo] = []
        let historyTime = try Self.seconds { history = try store.history(of: file("systems", "sys", 1), limit: 50) }
        print("bench: history(of:) \(historyTime) s, \(history.count) entries")
        let fsck = try runGit(["fsck", "--strict"], in: path)
        print("bench: fsck status \(fsck.status)")
        #expect(fsck.status == 0)
    }
}
