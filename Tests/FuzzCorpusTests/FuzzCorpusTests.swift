import Foundation
import FuzzChecks
import Testing

/// Replays every committed input in `fuzz/corpus/NAME/` (the seeds, and every finding once
/// copied there) through the check its fuzzer runs, so a fixed finding stays fixed.
struct FuzzCorpusTests {
    static let fuzzFolder: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/fuzz"
    }()

    static func entries(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fuzzFolder + "/" + folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test(arguments: AllChecks.names)
    func corpusHoldsTheProperty(_ name: String) throws {
        let check = try #require(AllChecks.list.first { $0.name == name })
        let inputs = Self.entries("corpus/" + name)
        #expect(!inputs.isEmpty, "no seeds in fuzz/corpus/\(name)")
        for input in inputs {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.fuzzFolder + "/corpus/\(name)/\(input)")))
            #expect(throws: Never.self, "fuzz/corpus/\(name)/\(input)") { try check.check(bytes) }
        }
    }

    /// A harness folder without a check here would never be replayed, and a check without a
    /// harness never fuzzed.
    @Test func everyHarnessHasACheckAndACorpus() {
        let harnesses = Self.entries("Targets")
        #expect(Set(harnesses) == Set(AllChecks.names))
        for name in harnesses { #expect(!Self.entries("corpus/" + name).isEmpty, "fuzz/corpus/\(name) is empty") }
    }
}
