/// The codes of a driver's `error` object (docs/driver-protocol.md §6). The core adds its own
/// (`not_running`, `driver_crashed`, `access_denied` …) for what happens before or around a driver.
public enum DriverErrorCode: String, Sendable, CaseIterable {
    case unknownModule = "unknown_module"
    case unknownMethod = "unknown_method"
    case badArguments = "bad_arguments"
    case offline
    case timeout
    case failed
    case startFailed = "start_failed"
}
