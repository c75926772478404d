import Auth
@testable import BackOfficeApp
import ConfigRepo
import Runtime
import SiteGen
import TestSupport
import Testing
import WebServer

/// Without a gate every request is anonymous, and the application's handlers refuse it: no
/// engine call, no control or live session, no page, no commit. (With `serve` the gate answers
/// first; these check that a handler never trusts a request nobody authenticated.)
@Suite(.serialized) struct UnauthenticatedTests {
    static func engine() -> RuntimeEngine {
        RuntimeEngine(configuration: RuntimeConfiguration(), repository: nil, secretBox: SampleSecrets.box)
    }

    @Test func engineRoutesAnswer401InProcess() async throws {
        let engine = Self.engine()
        var router = Router()
        EngineAPI(engine: engine).mount(on: &router)
        for (method, path) in [(HTTPMethod.post, "/api/engine/v2/modules/mod-x/exec/power"), (.get, "/api/engine/v2/modules/mod-x/state"),
                               (.post, "/api/engine/v2/systems/sys-x/start"), (.get, "/api/engine/v2/systems/sys-x/Display_1")] {
            let response = await router.respond(to: try Request(method: method, target: path, headers: ["authorization": "Bearer forged"]))
            #expect(response.status == .unauthorized, "\(method) \(path)")
        }
        await engine.shutdown()
    }

    @Test func controlAndLiveSocketsCloseWithoutASessionOverASocket() async throws {
        let engine = Self.engine()
        var router = Router()
        ControlAPI(engine: engine).mount(on: &router)
        let server = HTTPServer(configuration: .init(port: 0, loopCount: 1, logger: Logger(level: .off)), router: router)
        let port = try server.start()
        for path in ["/api/engine/v2/systems/control", "/api/engine/v2/live"] {
            let (head, message, close) = await offThePool {
                let client = TestClient(port: port)
                let head = client.openWebSocket(path, headers: "Cookie: bo_session=forged\r\n")
                return (head, client.readFrame(), client.readFrame())
            }
            #expect(head.hasPrefix("HTTP/1.1 101"))
            #expect(message.opcode == 1 && String(decoding: message.payload, as: UTF8.self).contains("sign in required"))
            #expect(close.opcode == 8 && close.payload.count >= 2 && Int(close.payload[0]) << 8 | Int(close.payload[1]) == 1008)
        }
        await server.shutdown(gracePeriod: 2)
        await engine.shutdown()
    }

    @Test func theSiteShowsNothingAndCommitsNothing() async throws {
        let sample = try SampleRepository()
        let site = try SiteService.render(repository: sample.repository, library: try TemplateLibrary(directory: Checkout.siteTemplates),
                                          templatesDirectory: Checkout.siteTemplates, siteDirectory: sample.root.path + "/site",
                                      stateDirectory: sample.stateDirectory)
        var router = Router()
        site.mount(on: &router)
        let head = sample.repository.store.head()
        #expect(await router.respond(to: try Request(method: .get, target: "/backoffice/systems/")).status == .unauthorized)
        #expect(await router.respond(to: try Request(method: .get, target: "/backoffice/systems/new")).status == .unauthorized)
        let form = Array("_csrf=x&_id=sys-intruder01&name=Intruder".utf8)
        let posted = await router.respond(to: try Request(method: .post, target: "/backoffice/systems/new",
                                                          headers: ["content-type": "application/x-www-form-urlencoded"], body: form))
        #expect(posted.status == .forbidden || posted.status == .unauthorized)
        #expect(sample.repository.store.head() == head)
        // The assets stay public: the sign-in page uses them.
        #expect(await router.respond(to: try Request(method: .get, target: "/backoffice/assets/site.css")).status == .ok)
    }
}
