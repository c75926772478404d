@testable import BackOfficeApp
import ConfigRepo
import Runtime
import Testing

/// The shapes the repository and driver routes and pages give: the new-driver form filled from
/// a driver's `--metadata`, and a failed build as `drivers/:id/compiled` reports it.
struct DriverRepositoryShapesTests {
    @Test func theNewDriverFormIsFilledFromTheMetadata() throws {
        let metadata = try JSONParser.parse("""
            {"name": "Lab Room", "description": "Colours its room.", "module_name": "Room", "role": 99,
             "default_port": 4352, "default_uri": null, "default_settings": {"label": "lab"},
             "settings_schema": {"type": "object"}, "functions": {}}
            """)
        var prefill = DriverPrefill(inputs: ["file_name": "room/LabRoom.swift"])
        prefill.fill(from: metadata)
        #expect(prefill.inputs["name"] == "Lab Room")
        #expect(prefill.inputs["module_name"] == "Room")
        #expect(prefill.inputs["role"] == "99")
        #expect(prefill.inputs["default_port"] == "4352")
        #expect(prefill.inputs["default_uri"] == nil)
        #expect(prefill.inputs["description"] == "Colours its room.")
        #expect(prefill.inputs["settings.none"]?.contains("\"label\": \"lab\"") == true)
        #expect(prefill.inputs["json_schema"]?.contains("\"type\": \"object\"") == true)
        #expect(prefill.inputs["file_name"] == "room/LabRoom.swift")
    }

    @Test func emptyDefaultSettingsLeaveTheSettingsEmpty() throws {
        var prefill = DriverPrefill()
        prefill.fill(from: try JSONParser.parse(#"{"name": "X", "role": 1, "default_settings": {}}"#))
        #expect(prefill.inputs["settings.none"] == nil && prefill.inputs["role"] == "1")
    }

    @Test func aFailedBuildReportsItsErrorsWithFileAndLine() throws {
        let commit = try #require(ObjectID(hex: String(repeating: "ab", count: 20)))
        let key = DriverBuildKey(repositoryID: "repo-a", file: "room/LabRoom.swift", commit: commit, driverKitVersion: "v")
        let failure = DriverBuildFailure(
            key: key, message: "did not build: room/LabRoom.swift:12:32: error: cannot find 'v4' in scope", output: "…",
            diagnostics: [CompilerDiagnostic(file: "room/LabRoom.swift", line: 12, column: 32, severity: "error", message: "cannot find 'v4' in scope"),
                          CompilerDiagnostic(file: "room/LabRoom.swift", line: 3, column: 1, severity: "warning", message: "unused")])
        let body = DriverRepositoryRoutes.buildJSON(DriverBuildReport(wanted: key, state: .failed(failure)))
        #expect(body["state"] == "failed")
        #expect(body["commit"] == .string(commit.hex))
        #expect(body["message"]?.stringValue?.hasPrefix("did not build: room/LabRoom.swift:12:32") == true)
        let errors = try #require(body["errors"]?.arrayValue)
        #expect(errors.count == 1)
        #expect(errors[0]["line"] == .int(12) && errors[0]["file"] == "room/LabRoom.swift")
    }
}
