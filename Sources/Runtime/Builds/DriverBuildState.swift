import ConfigRepo
import Foundation

/// A driver binary ready to run: where it is and what its `--metadata` said.
public struct BuiltDriver: Sendable, Hashable {
    public var key: DriverBuildKey
    public var executable: String
    public var metadata: DriverMetadata
    /// The compiler's output (warnings), empty for executables.
    public var output: String
}

/// Why a driver has no binary at a commit: the whole output kept, the compiler's errors with
/// file and line, and one line for a status page.
public struct DriverBuildFailure: Error, Sendable, Hashable {
    public var key: DriverBuildKey
    /// One line: `did not build: ` and the first compiler error, or what else went wrong
    /// (`… is not a driver: …`, `` `--metadata` printed … ``).
    public var message: String
    /// Everything the compiler (or the driver's `--metadata` run) printed.
    public var output: String
    public var diagnostics: [CompilerDiagnostic]

    public init(key: DriverBuildKey, message: String, output: String, diagnostics: [CompilerDiagnostic]) {
        self.key = key
        self.message = message
        self.output = output
        self.diagnostics = diagnostics
    }
}

/// Where a build is: PlaceOS's pending/running/done/error, as the driver page shows it.
public enum DriverBuildState: Sendable, Hashable {
    case queued
    case building
    case built(BuiltDriver)
    case failed(DriverBuildFailure)

    /// `queued`, `building`, `built` or `failed`.
    public var name: String {
        switch self {
        case .queued: "queued"
        case .building: "building"
        case .built: "built"
        case .failed: "failed"
        }
    }

    public var isFinished: Bool {
        switch self {
        case .built, .failed: true
        case .queued, .building: false
        }
    }
}
