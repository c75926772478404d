import ConfigRepo

/// What one driver binary is built from: a file of a repository at a commit, against one
/// version of DriverKit (`exec` for executables, which are not compiled). Binaries are cached
/// by it (DESIGN §4), so two drivers of the same file at different commits are two binaries.
public struct DriverBuildKey: Sendable, Hashable, CustomStringConvertible {
    public var repositoryID: String
    /// The driver's file, relative to the repository root.
    public var file: String
    public var commit: ObjectID
    /// `DriverKitToolchain.version` for Swift drivers, `exec` for executables.
    public var driverKitVersion: String

    public init(repositoryID: String, file: String, commit: ObjectID, driverKitVersion: String) {
        self.repositoryID = repositoryID
        self.file = file
        self.commit = commit
        self.driverKitVersion = driverKitVersion
    }

    /// The cache folder's path below the builds root:
    /// `<repository>/<file with / and . as _>-<commit>-<DriverKit version>`.
    var cachePath: String {
        let slug = String(file.map { $0 == "/" || $0 == "." ? "_" : $0 })
        return repositoryID + "/" + slug + "-" + commit.hex + "-" + driverKitVersion
    }

    public var description: String { "\(file) at \(commit.short) of \(repositoryID)" }
}
