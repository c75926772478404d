// sso-bench: what single sign-on costs (issue 17).
//
//   swift build -c release && .build/release/sso-bench [--quick]
//
// 1. In process: checking one OpenID Connect ID token (RS256 against a JWKS: signature, issuer,
//    audience, times, nonce) and one SAML response (libxmlsec1: parse, shape, signature over
//    the assertion, then the conditions), in µs. The SAML response is the pysaml2-signed fixture
//    of the unit tests (Tests/AuthTests/Fixtures/saml), checked at its own time.
// 2. Over loopback: the whole OpenID Connect sign-in round trip — /auth/login → the provider's
//    authorize → our callback (token request, JWKS, ID-token check, session) — against a small
//    provider served in this process, the first one (creates the user: one commit) and repeated
//    ones (the same user, nothing committed).
//
// Prints a table and writes bench/results/sso-bench.json. Figures are for this machine only.
import Auth
import BenchSupport
import ConfigRepo
import Crypto
import Foundation
import WebServer

let quick = CommandLine.arguments.contains("--quick")
let iterations = quick ? 300 : 3_000
let roundTrips = quick ? 30 : 200
var report = BenchReport(name: "sso-bench")

func microseconds(_ count: Int, _ body: () -> Void) -> (p50: Double, p99: Double) {
    for _ in 0..<min(50, count) { body() }
    var samples: [Double] = []
    for _ in 0..<count {
        let start = BenchClock.now()
        body()
        samples.append((BenchClock.now() - start) * 1e6)
    }
    return (BenchClock.percentile(samples, 0.5), BenchClock.percentile(samples, 0.99))
}

// MARK: 1. ID token and SAML response checks

let providerKey = RSAKey(pem: RSAKey.generatePEM()!)!
let jwks = JSONWebKeySet(json: .object(["keys": [.object(providerKey.publicJWK.mapValues(JSONValue.string))]]))!
let now = Int(Date().timeIntervalSince1970)

func idToken(issuer: String, audience: String, nonce: String, subject: String, email: String) -> String {
    let header = JSONWriter.compactString(.object(["alg": "RS256", "kid": .string(providerKey.keyID), "typ": "JWT"]))
    let claims = JSONWriter.compactString(.object(["iss": .string(issuer), "aud": .string(audience), "sub": .string(subject),
                                                   "email": .string(email), "name": "Bench Person", "nonce": .string(nonce),
                                                   "iat": .int(Int(Date().timeIntervalSince1970)), "exp": .int(Int(Date().timeIntervalSince1970) + 600)]))
    let input = Base64URL.encode(header) + "." + Base64URL.encode(claims)
    return input + "." + Base64URL.encode(providerKey.sign(Array(input.utf8)))
}

let verifier = IDTokenVerifier(issuer: "https://idp.bench", clientID: "bench-client")
let token = idToken(issuer: "https://idp.bench", audience: "bench-client", nonce: "n", subject: "s", email: "b@bench.example")
let tokenCost = microseconds(iterations) {
    _ = try? verifier.verify(token, nonce: "n", now: now) { jwks.candidates(kid: $0.keyID, algorithm: $0.algorithm) }
}
report.add("ID token check (RS256, JWKS, claims)", String(format: "p50 %.0f µs, p99 %.0f µs", tokenCost.p50, tokenCost.p99))

let fixtures = "Tests/AuthTests/Fixtures/saml/"
if let xml = try? String(contentsOfFile: fixtures + "resp-both.xml", encoding: .utf8),
   let certificate = try? String(contentsOfFile: fixtures + "idp.crt", encoding: .utf8),
   let strategy = SAMLStrategy(ConfigDocument(ref: ObjectRef(.authStrategy, "adfs_strat-bench"), members: [
       "name": "Bench", "authority_id": "authority-bench", "issuer": "https://bo.example/saml",
       "idp_sso_target_url": "http://127.0.0.1:1/sso", "idp_cert": .string(certificate)], version: nil, path: "auth/adfs_strat-bench.json")) {
    let start = xml.range(of: "IssueInstant=\"")!.upperBound
    let at = SAMLResponseChecker.parseTime(String(xml[start...].prefix(20)))! + 60
    let checker = SAMLResponseChecker(strategy: strategy, consumerURL: "http://127.0.0.1:9/auth/adfs/callback")
    let bytes = Array(xml.utf8)
    let samlCost = microseconds(iterations) { _ = try? checker.check(bytes, requestID: "_abc123", now: at) }
    report.add("SAML response check (2 signatures, xmlsec)", String(format: "p50 %.0f µs, p99 %.0f µs", samlCost.p50, samlCost.p99))
} else {
    report.add("SAML response check", "skipped: run from the repository root (fixtures)")
}

// MARK: 2. The OpenID Connect round trip over loopback

let workspace = NSTemporaryDirectory() + "sso-bench-\(UUID().uuidString)"
defer { try? FileManager.default.removeItem(atPath: workspace) }

/// The provider: discovery, an authorize endpoint that approves at once, token, JWKS.
let codes = CodeTable()
final class CodeTable: @unchecked Sendable {
    private let lock = NSLock()
    private var table: [String: (nonce: String, redirect: String)] = [:]
    func put(_ code: String, _ value: (String, String)) { lock.lock(); table[code] = value; lock.unlock() }
    func take(_ code: String) -> (nonce: String, redirect: String)? { lock.lock(); defer { lock.unlock() }; return table.removeValue(forKey: code) }
}
/// The provider's base URL, known once it listens (its routes read it).
final class BaseURL: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    var value: String {
        get { lock.lock(); defer { lock.unlock() }; return text }
        set { lock.lock(); text = newValue; lock.unlock() }
    }
}
let providerBase = BaseURL()
let provider: HTTPServer = {
    var router = Router()
    router.add(.get, "/.well-known/openid-configuration", immediate: { _ in
        let providerBase = providerBase.value
        return .json(JSONWriter.compactString(.object(["issuer": .string(providerBase), "authorization_endpoint": .string(providerBase + "/authorize"),
                                                "token_endpoint": .string(providerBase + "/token"), "jwks_uri": .string(providerBase + "/jwks")])))
    })
    router.add(.get, "/jwks", immediate: { _ in .json(JSONWriter.compactString(.object(["keys": [.object(providerKey.publicJWK.mapValues(JSONValue.string))]]))) })
    router.add(.get, "/authorize", immediate: { request in
        let code = SecureRandom.token(16)
        codes.put(code, (request.query("nonce") ?? "", request.query("redirect_uri") ?? ""))
        return .redirect(to: (request.query("redirect_uri") ?? "") + "?code=\(code)&state=\(request.query("state") ?? "")", status: .found)
    })
    router.post("/token", blocking: { request in
        let form = try URLEncodedForm(request).values
        guard let grant = codes.take(form["code"] ?? "") else { return .json(#"{"error":"invalid_grant"}"#, status: .badRequest) }
        let id = idToken(issuer: providerBase.value, audience: "bench-client", nonce: grant.nonce, subject: "bench-1", email: "person@bench.example")
        return .json(JSONWriter.compactString(.object(["access_token": "at", "token_type": "Bearer", "id_token": .string(id)])))
    })
    return HTTPServer(configuration: .init(port: 0, loopCount: 1, logger: Logger(level: .error)), router: router)
}()
providerBase.value = "http://127.0.0.1:\(try provider.start())"

let secret = try DeploymentSecret.loadOrCreate(stateDirectory: workspace + "/state")
let box = SecretBox(secret: secret)
try FileManager.default.createDirectory(atPath: workspace + "/source/domains", withIntermediateDirectories: true)
FileManager.default.createFile(atPath: workspace + "/source/domains/authority-bench.json",
                               contents: Data(JSONWriter.canonicalBytes(["name": "Bench", "domain": "127.0.0.1"])))
_ = try ConfigStore.create(at: workspace + "/repo", from: workspace + "/source", message: "Bench domain")
let repository = ConfigRepository(store: try ConfigStore(path: workspace + "/repo", workingTreeUpdate: .background), secretBox: box)
let strategyDocument = SecretSealer(box: box).seal(ConfigDocument(ref: ObjectRef(.authStrategy, "oauth_strat-bench"), members: [
    "name": "Bench IdP", "authority_id": "authority-bench", "client_id": "bench-client", "client_secret": "bench-secret",
    "site": .string(providerBase.value)], version: nil, path: "auth/oauth_strat-bench.json"))
try repository.apply([.save(strategyDocument)], author: .backoffice)
let auth = try AuthService(stateDirectory: workspace + "/state", repository: repository, policy: AccessPolicy.standard, logger: Logger(level: .error))
var router = Router()
auth.install(on: &router)
let server = HTTPServer(configuration: .init(port: 0, loopCount: 2, logger: Logger(level: .error)), router: router)
let base = "http://127.0.0.1:\(try server.start())"
let http = OutgoingHTTP()

/// One sign-in; true when it ends in a session.
func signIn() -> Bool {
    guard let login = try? http.get(base + "/auth/login?provider=oauth2&id=oauth_strat-bench&continue=/"), login.status == 302,
          let authorize = login.headers["location"], let cookie = login.headers["set-cookie"]?.split(separator: ";").first,
          let approved = try? http.get(authorize), let callback = approved.headers["location"],
          let done = try? http.get(callback, headers: [("Cookie", String(cookie))]) else { return false }
    // A refusal answers the sign-in page (4xx); a session is a 303 to `continue`.
    return done.status == 303 && done.headers["location"] == "/"
}

var start = BenchClock.now()
let first = signIn()
report.add("OIDC sign-in round trip, first (creates the user)", first ? String(format: "%.1f ms", (BenchClock.now() - start) * 1000) : "FAILED")
var samples: [Double] = []
var failures = 0
for _ in 0..<roundTrips {
    start = BenchClock.now()
    if !signIn() { failures += 1 }
    samples.append((BenchClock.now() - start) * 1000)
}
report.add("OIDC sign-in round trip, again (same user)", String(format: "p50 %.2f ms, p99 %.2f ms%@", BenchClock.percentile(samples, 0.5),
                                                                BenchClock.percentile(samples, 0.99), failures > 0 ? " (\(failures) FAILED)" : ""))
await server.shutdown()
await provider.shutdown()
try report.finish()
