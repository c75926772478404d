@_exported import TestSupport
import ConfigRepo
import Foundation
@testable import Runtime

/// Every driver resolves to `/drivers/<driver id>`.
struct FixedResolver: DriverBinaryResolver {
    func executable(for driver: DriverView, repository: ConfigDocument?) -> Result<String, RuntimeError> {
        .success("/drivers/" + driver.id)
    }
}

/// Polls `condition` for up to `seconds`.
func eventually(_ seconds: Double = 10, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}
