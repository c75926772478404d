#if FUZZING
import CLibFuzzer
#if canImport(Glibc)
import Glibc
#endif

/// What every fuzz target's `main` does: hand libFuzzer's driver the command line and a callback
/// that runs one check, and stop with the broken property when it throws (libFuzzer then saves
/// the input as `crash-…`). Only in the fuzz build, which links libFuzzer.
public enum FuzzEntry {
    /// The check of this process (one per target binary), set once before fuzzing starts.
    nonisolated(unsafe) private static var check: (any FuzzCheck.Type)?

    public static func main(_ check: any FuzzCheck.Type) -> Never {
        Self.check = check
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            FuzzEntry.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        })
    }

    static func run(_ input: [UInt8]) -> Int32 {
        guard let check else { fatalError("FuzzEntry.main was not called") }
        do {
            try check.check(input)
        } catch {
            fatalError("fuzz-\(check.name): \(error.description)")
        }
        return 0
    }
}
#endif
