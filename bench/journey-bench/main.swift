// journey-bench: the seed's journey from a git repository to a live room, timed as a newcomer
// meets it. It runs the headless-Chromium test Tests/e2e/test_drivers_journey.py against this
// release build (a fresh state directory, so the first build includes DriverKit's) and prints
// the time of each screen from the test's artifacts/journey-timings.json. Run from the checkout
// after `make test-deps`: `.build/release/journey-bench`.
import BenchSupport
import Foundation

let python = ".venv-e2e/bin/python"
let test = "Tests/e2e/test_drivers_journey.py"
let timings = "Tests/e2e/artifacts/journey-timings.json"

guard FileManager.default.isExecutableFile(atPath: python) else {
    FileHandle.standardError.write(Data("journey-bench: \(python) is missing; run `make test-deps` first\n".utf8))
    exit(1)
}
try? FileManager.default.removeItem(atPath: timings)
let process = Process()
process.executableURL = URL(fileURLWithPath: python)
process.arguments = ["-m", "pytest", "-q", test]
var environment = ProcessInfo.processInfo.environment
environment["BACKOFFICE_BIN"] = FileManager.default.currentDirectoryPath + "/.build/release/backoffice"
process.environment = environment
let started = BenchClock.now()
try process.run()
process.waitUntilExit()
let wall = BenchClock.now() - started
guard process.terminationStatus == 0, let data = FileManager.default.contents(atPath: timings),
      let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
      let steps = json["steps"] as? [[String: Any]], let total = json["total_seconds"] as? Double else {
    FileHandle.standardError.write(Data("journey-bench: the journey test failed (pytest exit \(process.terminationStatus))\n".utf8))
    exit(1)
}

var report = BenchReport(name: "journey-bench")
let labels = [
    "repository-fetched": "add the repository (git over HTTP, basic auth) → fetched",
    "driver-form-filled": "pick the driver → built (cold DriverKit), form filled",
    "driver-built": "save the driver → build page says built",
    "room-and-module": "create a room on level 2, add the module",
    "room-live-on-the-map": "the room live on the map",
    "pinned-older-commit": "pin an older commit → the room shows the old code",
    "update-available": "push + Pull → \"update available\"",
    "compile-error-shown": "push a typo, pin it → the error with file and line",
    "module-kept-running": "the module still runs the last good build",
]
for step in steps {
    guard let name = step["step"] as? String, let seconds = step["seconds"] as? Double else { continue }
    report.add(labels[name] ?? name, String(format: "%.1f s", seconds))
}
report.add("the whole journey in the browser", String(format: "%.1f s", total), "< 180 s (issue 14)")
report.add("the test with server start and sign-in", String(format: "%.1f s", wall))
try report.finish()
