import ConfigRepo
import Runtime
import WebServer

/// Trigger webhooks in (placeos-runtime §5): `<VERB> /api/engine/v2/webhook/:id/notify?secret=…`,
/// `…/notify/:secret` and `…/notify/:secret/:mod/:index/:method` (or `exec=true&mod&index&method`
/// in the query). Public routes: the instance's secret is the credential, so the access log
/// names these paths by their prefix only. An unknown or disabled instance and a wrong secret
/// answer the same 404; a method the trigger does not accept 405; a pulse 202. With the
/// instance's `exec_enabled`, the function is called with support clearance and a returned
/// `[status, headers, body]` is the response (`WebhookExec`).
public struct TriggerWebhooks: Feature {
    /// The methods the routes answer (a trigger's `supported_methods` narrows them; HEAD follows GET).
    static let methods: [HTTPMethod] = [.get, .post, .put, .patch, .delete, .options]
    static let prefix = "/api/engine/v2/webhook"
    static let patterns = [prefix + "/:id/notify", prefix + "/:id/notify/:secret", prefix + "/:id/notify/:secret/:mod/:index/:method"]

    let engine: RuntimeEngine
    let limiter: WebhookRateLimiter

    public init(engine: RuntimeEngine) {
        self.engine = engine
        limiter = WebhookRateLimiter()
    }

    init(engine: RuntimeEngine, limiter: WebhookRateLimiter) {
        self.engine = engine
        self.limiter = limiter
    }

    public func mount(on router: inout Router) {
        router.credentialPathPrefixes.append(Self.prefix)
        for method in Self.methods {
            for pattern in Self.patterns {
                router.add(method, pattern) { [self] request in await notify(request) }
            }
        }
    }

    /// Never throws: a thrown error would be logged with the path, which holds the secret.
    func notify(_ request: Request) async -> Response {
        let instance = request.parameter("id") ?? ""
        let secret = request.parameter("secret") ?? request.query("secret") ?? ""
        switch engine.triggers.checkWebhook(instance: instance, secret: secret, method: request.method.rawValue) {
        case .notFound:
            return Self.plain(.notFound, "no such webhook")
        case .methodNotAllowed(let allowed):
            var response = Self.plain(.methodNotAllowed, "this webhook accepts " + allowed.joined(separator: ", "))
            response.headers.set("Allow", allowed.joined(separator: ", "))
            return response
        case .accepted:
            break
        }
        if let wait = limiter.admit(instance) {
            var response = Self.plain(HTTPStatus(429), "too many calls to this webhook")
            response.headers.set("Retry-After", String(max(1, Int(wait.rounded(.up)))))
            return response
        }
        guard case .accepted(let system, let execEnabled) = engine.triggers.pulseWebhook(
            instance: instance, secret: secret, method: request.method.rawValue) else {
            return Self.plain(.notFound, "no such webhook")
        }
        guard let call = ExecCall(request), execEnabled else { return Response(status: HTTPStatus(202)) }
        let result = await engine.exec(system: system, name: call.module, index: call.index, method: call.method,
                                       args: WebhookExec.arguments(for: request), role: .support, userID: "webhook " + instance)
        switch result {
        case .success(let value):
            return WebhookExec.response(from: value) ?? Response(status: HTTPStatus(202))
        case .failure(let error):
            return .json(JSONWriter.compactString(.object(["error": .string(error.code), "message": .string(error.message)])),
                         status: HTTPStatus(error.httpStatus))
        }
    }

    private static func plain(_ status: HTTPStatus, _ text: String) -> Response {
        .json(JSONWriter.compactString(.object(["message": .string(text)])), status: status)
    }

    /// The function a call asks to execute: from the path, or `exec=true&mod=…&index=…&method=…`.
    struct ExecCall {
        var module: String
        var index: Int
        var method: String

        init?(_ request: Request) {
            if let module = request.parameter("mod"), let method = request.parameter("method") {
                self.module = module
                self.method = method
                index = request.parameter("index").flatMap(Int.init) ?? 1
                return
            }
            guard request.query("exec") == "true", let module = request.query("mod"), let method = request.query("method") else { return nil }
            self.module = module
            self.method = method
            index = request.query("index").flatMap(Int.init) ?? 1
        }
    }
}
