import Auth
import ConfigRepo
import TestSupport
import Testing
import WebServer

/// What a handler sees when no gate ran: the anonymous visitor, who may do nothing a route
/// protects. Credentials on the request change nothing until a gate checks them, and the local
/// administrator comes only from its own gate (`serve --auth off`).
@Suite(.serialized) struct DefaultDenyTests {
    static func whoami(_ request: Request) -> Response {
        let principal = request.principal
        return .json("{\"user\":\"\(principal.userID)\",\"signed_in\":\(principal.isAuthenticated),\"admin\":\(principal.has(.admin))}")
    }

    static var router: Router {
        var router = Router()
        router.get("/whoami") { whoami($0) }
        router.post("/whoami") { whoami($0) }
        return router
    }

    static let nobody = "{\"user\":\"anonymous\",\"signed_in\":false,\"admin\":false}"
    static let forged: HTTPHeaders = ["authorization": "Bearer forged.token.here", "cookie": "bo_session=forged", "x-api-key": "key-x.forged"]

    @Test func aRequestNoGateLookedAtIsAnonymousAndMayDoNothingProtected() throws {
        let principal = try Request(method: .post, target: "/backoffice/users/new", headers: Self.forged).principal
        #expect(principal == .anonymous)
        #expect(!principal.isAuthenticated && !principal.has(.user) && !principal.has(.support) && !principal.has(.admin))
        #expect(Kind.allCases.allSatisfy { !principal.mayEdit($0) && !principal.mayView($0) })
        #expect(!principal.mayExecute(functionSecurity: nil) && !principal.mayExecute(functionSecurity: "administrator"))
        #expect(SettingsLevel.allCases.allSatisfy { !principal.mayRead($0) })
        #expect(!principal.allows(scope: "systems.read"))
        #expect(AccessRule.role(.admin).decide(for: principal) == .signInRequired)
    }

    @Test func withoutAGateAHandlerSeesNobodyInProcess() async throws {
        for method in [HTTPMethod.get, .post] {
            let response = await Self.router.respond(to: try Request(method: method, target: "/whoami", headers: Self.forged))
            #expect(String(decoding: response.body, as: UTF8.self) == Self.nobody)
        }
    }

    @Test func withoutAGateAHandlerSeesNobodyOverASocket() async throws {
        let server = HTTPServer(configuration: .init(port: 0, loopCount: 1, logger: Logger(level: .off)), router: Self.router)
        let port = try server.start()
        let answer = await offThePool {
            let client = TestClient(port: port)
            client.send("GET /whoami HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer forged\r\nCookie: bo_session=forged\r\n\r\n")
            return client.response()
        }
        await server.shutdown()
        #expect(answer.head.hasPrefix("HTTP/1.1 200"))
        #expect(answer.body == Self.nobody)
    }

    @Test func theLocalAdministratorComesOnlyFromItsOwnGate() async throws {
        var router = Self.router
        router.gate = LocalAdminGate.gate
        let response = await router.respond(to: try Request(method: .get, target: "/whoami"))
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"user\":\"local-admin\",\"signed_in\":true,\"admin\":true}")
    }
}
