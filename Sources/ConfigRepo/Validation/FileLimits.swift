/// Size limits of the files in a configuration repository (docs/config-format.md, "Size
/// limits"). A file over its limit is a validation problem and is not read any further, so a
/// 20 MB description never reaches a page and a 100 MB binary never reaches a snapshot;
/// the pre-receive gate refuses such a push before reading its files.
public enum FileLimits {
    /// An object's JSON file (`systems/sys-….json`, metadata, `backoffice.json`).
    public static let objectFileBytes = 1 << 20
    /// A level map (`maps/*.svg`).
    public static let mapFileBytes = 8 << 20
    /// Any other file of the tree (README, CI files, anything an engineer adds).
    public static let otherFileBytes = 8 << 20
    /// The new file contents of one push, all commits together.
    public static let pushBytes = 32 << 20

    /// The limit for the file at `path`, with what the message calls such a file.
    public static func limit(forPath path: String) -> (bytes: Int, name: String) {
        switch RepoPath(path) {
        case .deployment, .object: (objectFileBytes, "an object file")
        case .map: (mapFileBytes, "a map")
        case .ignored, .invalid: (otherFileBytes, "a file")
        }
    }

    /// The problem of a file of `size` bytes at `path`, or nil within the limit.
    public static func problem(path: String, size: Int) -> ValidationProblem? {
        let limit = limit(forPath: path)
        guard size > limit.bytes else { return nil }
        return ValidationProblem(path: path, field: "", message: "the file is \(grouped(size)) bytes; the limit for \(limit.name) is \(mebibytes(limit.bytes))")
    }

    /// The problem of a push adding `size` bytes of new files, or nil within the limit.
    public static func pushProblem(size: Int) -> String? {
        guard size > pushBytes else { return nil }
        return "the push adds \(grouped(size)) bytes; the limit for one push is \(mebibytes(pushBytes))"
    }

    static func mebibytes(_ bytes: Int) -> String { "\(bytes >> 20) MiB" }

    /// `1234567` → `1,234,567`.
    static func grouped(_ number: Int) -> String {
        var digits = String(number)
        var out = ""
        while digits.count > 3 {
            out = "," + digits.suffix(3) + out
            digits.removeLast(3)
        }
        return digits + out
    }
}
