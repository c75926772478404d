/// A property a fuzz target asserts about every input, beyond "does not crash".
///
/// `fuzz/Targets/NAME` runs one check under libFuzzer; `swift test` (FuzzCorpusTests) replays
/// `fuzz/corpus/NAME/` through the same check, so a finding committed there stays fixed.
public protocol FuzzCheck {
    /// The target's name: its folder under `fuzz/Targets`, `fuzz/corpus` and `fuzz/dict`.
    static var name: String { get }
    /// Runs the code under test on `input`; throws the property it found broken.
    static func check(_ input: [UInt8]) throws(PropertyViolation)
}

/// A broken property, said in a sentence (the fuzzer prints it before it stops).
public struct PropertyViolation: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// Throws `message` unless `condition` holds.
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(PropertyViolation) {
    if !condition { throw PropertyViolation(message()) }
}
