import Auth
@testable import BackOfficeApp
import ConfigRepo
import TestSupport
import Testing
import WebServer

/// The engine REST routes in process, through the router, against real driver processes.
@Suite(.serialized) struct EngineAPITests {
    @Test func stateExecFunctionsTypesAndPing() async throws {
        let bed = try await EngineTestbed()
        let base = "/api/engine/v2"
        let echo = try await bed.send(.post, base + "/systems/sys-test/Tester_1/echo", json: "[\"hi\"]")
        #expect(echo.status == .ok && echo.text == "\"hi\"")
        let add = try await bed.send(.post, base + "/modules/mod-b/exec/add", json: "[2, 3]")
        #expect(add.text == "5")
        #expect(try await bed.send(.get, base + "/systems/sys-test/Tester_1/greeting").text == "\"hello\"")
        #expect(try await bed.send(.get, base + "/systems/sys-test/types").text == "{\"Tester\":3}")
        let functions = try JSONParser.parse(try await bed.send(.get, base + "/systems/sys-test/functions/Tester_1").body)
        // PlaceOS's shape, without the functions above the caller's clearance.
        #expect(functions["echo"]?["arity"]?.intValue == 1 && functions["echo"]?["order"]?.arrayValue?.count == 1)
        #expect(functions["lamp_reset"] == nil)
        let asAdmin = try JSONParser.parse(try await bed.send(.get, base + "/systems/sys-test/functions/Tester_1", as: .admin).body)
        #expect(asAdmin["lamp_reset"]?["security"]?.stringValue == "administrator")
        let ping = try JSONParser.parse(try await bed.send(.post, base + "/modules/mod-a/ping", as: .support).body)
        #expect(ping["state"]?.stringValue == "running")
        await bed.shutdown()
    }

    @Test func refusalsCarryTheRuntimeErrorAndItsStatus() async throws {
        let bed = try await EngineTestbed()
        let base = "/api/engine/v2"
        let denied = try await bed.send(.post, base + "/modules/mod-a/exec/lamp_reset", json: "[]")
        #expect(denied.status == .forbidden && denied.text.contains("access_denied"))
        #expect(try await bed.send(.post, base + "/modules/mod-a/exec/lamp_reset", json: "[]", as: .admin).status == .ok)
        let unknown = try await bed.send(.get, base + "/modules/mod-zz/state", as: .support)
        #expect(unknown.status == .notFound && unknown.text.contains("unknown_module"))
        let badArguments = try await bed.send(.post, base + "/modules/mod-a/exec/echo", json: "{not json")
        #expect(badArguments.status == .badRequest && badArguments.text.contains("bad_arguments"))
        let userStops = try await bed.send(.post, base + "/systems/sys-test/stop", as: .user)
        #expect(userStops.status == .forbidden)
        #expect(try await bed.send(.post, base + "/modules/mod-a/exec/echo", json: "[\"x\"]", as: nil).status == .unauthorized)
        await bed.shutdown()
    }
}
