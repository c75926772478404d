import ConfigRepo
import Testing
@testable import Runtime

@Suite struct ArgumentCheckerTests {
    let power = FunctionSpec(name: "power", json: ["args": [["name": "state", "schema": ["type": "boolean"]],
                                                             ["name": "delay", "schema": ["type": "integer", "minimum": 0], "default": 0]]])

    @Test func acceptsFittingPositionalAndNamedArguments() {
        #expect(ArgumentChecker.problem(with: [true], for: power) == nil)
        #expect(ArgumentChecker.problem(with: [true, 5], for: power) == nil)
        #expect(ArgumentChecker.problem(with: ["state": false], for: power) == nil)
    }

    @Test func refusesWrongCountsAndTypesNamingTheArgument() {
        #expect(ArgumentChecker.problem(with: [], for: power) == "power(state, delay?) takes 1 to 2 arguments, got 0")
        #expect(ArgumentChecker.problem(with: [true, 1, 2], for: power)?.contains("got 3") == true)
        #expect(ArgumentChecker.problem(with: ["on"], for: power) == "power(state, delay?): `state` must be of type boolean, found string \"on\"")
        #expect(ArgumentChecker.problem(with: [true, -1], for: power)?.contains("`delay` must be at least 0") == true)
        #expect(ArgumentChecker.problem(with: [true, .number("1.5")], for: power)?.contains("`delay` must be of type integer") == true)
        #expect(ArgumentChecker.problem(with: ["volume": 3], for: power) == "power(state, delay?) has no argument `volume`")
        #expect(ArgumentChecker.problem(with: ["delay": 3], for: power) == "power(state, delay?): argument `state` is missing")
        #expect(ArgumentChecker.problem(with: "x", for: power)?.contains("must be a JSON array") == true)
    }

    @Test func checksEnumsItemsAndObjects() {
        let f = FunctionSpec(name: "f", json: ["args": [
            ["name": "input", "schema": ["enum": ["HDMI1", "HDMI2"]]],
            ["name": "zones", "schema": ["type": "array", "items": ["type": "integer"]]],
            ["name": "options", "schema": ["type": "object", "required": ["level"], "properties": ["level": ["type": "number"]]]],
        ]])
        #expect(ArgumentChecker.problem(with: ["HDMI1", [1, 2], ["level": .number("0.5")]], for: f) == nil)
        #expect(ArgumentChecker.problem(with: ["VGA", [1], ["level": 1]], for: f)?.contains("one of") == true)
        #expect(ArgumentChecker.problem(with: ["HDMI1", [1, "2"], ["level": 1]], for: f)?.contains("`zones[1]`") == true)
        #expect(ArgumentChecker.problem(with: ["HDMI1", [], [:]], for: f)?.contains("`options.level` is required") == true)
    }

    @Test func securityComesFromMetadataAndIsCheckedByRole() {
        let admin = FunctionSpec(name: "lamp_reset", json: ["args": [], "security": "administrator"])
        let support = FunctionSpec(name: "menu", json: ["args": [], "security": "support"])
        #expect(RuntimeEngine.authorize(role: .user, function: admin, moduleName: nil)?.code == "access_denied")
        #expect(RuntimeEngine.authorize(role: .support, function: admin, moduleName: nil)?.code == "access_denied")
        #expect(RuntimeEngine.authorize(role: .admin, function: admin, moduleName: nil) == nil)
        #expect(RuntimeEngine.authorize(role: .support, function: support, moduleName: nil) == nil)
        #expect(RuntimeEngine.authorize(role: .user, function: nil, moduleName: "_Hidden")?.code == "access_denied")
        #expect(RuntimeEngine.authorize(role: .user, function: power, moduleName: "Display") == nil)
    }
}
