import ConfigRepo
import Testing
@testable import Runtime

@Suite struct FunctionSecurityTests {
    @Test func securityAnnotationsMapToRolesAndUnknownOnesFailClosed() {
        func role(_ security: JSONValue?) -> Role {
            FunctionSpec(name: "f", json: security.map { ["security": $0] } ?? [:]).requiredRole
        }
        #expect(role(nil) == .user)
        #expect(role(.null) == .user)
        #expect(role("support") == .support)
        #expect(role("administrator") == .admin)
        #expect(role("admin") == .admin)
        #expect(role("superuser") == .admin)
        let writeRegister = FunctionSpec(name: "write_register", json: ["security": "administrator"])
        #expect(RuntimeEngine.authorize(role: .support, function: writeRegister, moduleName: "HVAC")?.code == "access_denied")
        #expect(RuntimeEngine.authorize(role: .admin, function: writeRegister, moduleName: "HVAC") == nil)
        #expect(RuntimeEngine.authorize(role: .user, function: nil, moduleName: "_Hidden")?.code == "access_denied")
    }
}
