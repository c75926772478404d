// sso-bench: what single sign-on costs (issue 17).
//
//   swift build -c release && .build/release/sso-bench [--quick]
//
// 1. In process: checking one OpenID Connect ID token (RS256 against a JWKS: signature, issuer,
//    audience, times, nonce) and one SAML response (libxmlsec1: parse, shape, signature over
//    the assertion, then the conditions), in µs. The SAML response is the pysaml2-signed fixture
//    of the unit tests (Tests/AuthTests/Fixtures/saml), checked at its own time.
// 2. Over loopback, against the e2e tests' identity providers (an authlib OpenID provider and a
//    pysaml2 IdP, started from the test venv by identity_providers.py): the whole sign-in round
//    trip of each, as a browser makes it without rendering — OpenID Connect: /auth/login → the
//    provider's authorize (approved) → our callback (token request, JWKS, ID-token check,
//    session); SAML: /auth/login → the IdP's SSO (approved: pysaml2 signs with xmlsec1) → our
//    assertion consumer (signature, conditions, replay, session). The first sign-in creates the
//    user (one commit); the repeated ones find the same user (nothing committed).
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

// MARK: 2. The sign-in round trips against the e2e tests' identity providers

/// The identity providers' subprocess (bench/sso-bench/identity_providers.py): its first line
/// says where they listen; `trust URL` loads our SP metadata into the SAML IdP.
final class IdentityProviders {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    private var buffered: [UInt8] = []
    var description: [String: JSONValue] = [:]

    init?(python: String) {
        guard FileManager.default.isExecutableFile(atPath: python) else { return nil }
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["bench/sso-bench/identity_providers.py"]
        process.environment = ProcessInfo.processInfo.environment.merging(["PYTHONWARNINGS": "ignore"]) { $1 }
        process.standardInput = input
        process.standardOutput = output
        guard (try? process.run()) != nil, let line = readLine(), let members = (try? JSONParser.parse(line))?.objectValue else {
            stop()
            return nil
        }
        description = members
    }

    func string(_ provider: String, _ field: String) -> String {
        description[provider]?.objectValue?[field]?.stringValue ?? ""
    }

    /// Loads our SP metadata from `url` into the SAML IdP.
    func trust(_ url: String) -> Bool {
        input.fileHandleForWriting.write(Data("trust \(url)\n".utf8))
        return readLine() == "ok"
    }

    func readLine() -> String? {
        while true {
            if let end = buffered.firstIndex(of: 10) {
                defer { buffered.removeFirst(end + 1) }
                return String(decoding: buffered[..<end], as: UTF8.self)
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffered += chunk
        }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.waitUntilExit() }
    }
}

/// The name/value pairs of a URL's query.
func queryPairs(_ url: String) -> [(String, String)] {
    (URLComponents(string: url)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }
}

/// The hidden inputs of the IdP's POST-binding page, and its form's action.
func postBindingForm(_ page: String) -> (action: String, fields: [(String, String)])? {
    func unescape(_ text: Substring) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#x27;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }
    func attribute(_ name: String, in tag: Substring) -> String? {
        guard let start = tag.range(of: name + "=\"") else { return nil }
        return unescape(tag[start.upperBound...].prefix { $0 != "\"" })
    }
    guard let form = page.range(of: "<form "), let action = attribute("action", in: page[form.lowerBound...]) else { return nil }
    var fields: [(String, String)] = []
    var rest = page[form.upperBound...]
    while let input = rest.range(of: "<input ") {
        let tag = rest[input.lowerBound...].prefix { $0 != ">" }
        if let name = attribute("name", in: tag), let value = attribute("value", in: tag) { fields.append((name, value)) }
        rest = rest[input.upperBound...]
    }
    return (action, fields)
}

let workspace = NSTemporaryDirectory() + "sso-bench-\(UUID().uuidString)"
defer { try? FileManager.default.removeItem(atPath: workspace) }

if let providers = IdentityProviders(python: ".venv-e2e/bin/python") {
    defer { providers.stop() }
    let secret = try DeploymentSecret.loadOrCreate(stateDirectory: workspace + "/state")
    let box = SecretBox(secret: secret)
    try FileManager.default.createDirectory(atPath: workspace + "/source/domains", withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: workspace + "/source/domains/authority-bench.json",
                                   contents: Data(JSONWriter.canonicalBytes(["name": "Bench", "domain": "127.0.0.1"])))
    _ = try ConfigStore.create(at: workspace + "/repo", from: workspace + "/source", message: "Bench domain")
    let repository = ConfigRepository(store: try ConfigStore(path: workspace + "/repo", workingTreeUpdate: .background), secretBox: box)
    let oauth = SecretSealer(box: box).seal(ConfigDocument(ref: ObjectRef(.authStrategy, "oauth_strat-bench"), members: [
        "name": "Bench OpenID", "authority_id": "authority-bench", "client_id": .string(providers.string("oidc", "client_id")),
        "client_secret": .string(providers.string("oidc", "client_secret")), "site": .string(providers.string("oidc", "base"))],
        version: nil, path: "auth/oauth_strat-bench.json"))
    let saml = ConfigDocument(ref: ObjectRef(.authStrategy, "adfs_strat-bench"), members: [
        "name": "Bench SAML", "authority_id": "authority-bench", "issuer": "https://bench.example/saml",
        "idp_sso_target_url": .string(providers.string("saml", "sso_url")), "idp_cert": .string(providers.string("saml", "certificate"))],
        version: nil, path: "auth/adfs_strat-bench.json")
    try repository.apply([.save(oauth), .save(saml)], author: .backoffice)
    let auth = try AuthService(stateDirectory: workspace + "/state", repository: repository, policy: AccessPolicy.standard, logger: Logger(level: .error))
    var router = Router()
    auth.install(on: &router)
    let server = HTTPServer(configuration: .init(port: 0, loopCount: 2, logger: Logger(level: .error)), router: router)
    let base = "http://127.0.0.1:\(try server.start())"
    let http = OutgoingHTTP()
    guard providers.trust(base + "/auth/adfs/metadata?id=adfs_strat-bench") else { fatalError("sso-bench: the SAML IdP did not load our metadata") }

    /// One OpenID Connect sign-in: the milliseconds of our callback (token request, JWKS,
    /// ID-token check, session) when it ends in a session, nil when it does not.
    func openIDSignIn() -> Double? {
        guard let login = try? http.get(base + "/auth/login?provider=oauth2&id=oauth_strat-bench&continue=/"), login.status == 302,
              let authorize = login.headers["location"], let cookie = login.headers["set-cookie"]?.split(separator: ";").first,
              let approved = try? http.post(String(authorize.prefix { $0 != "?" }),
                                            form: queryPairs(authorize) + [("login", providers.string("oidc", "login"))]),
              let callback = approved.headers["location"] else { return nil }
        let start = BenchClock.now()
        guard let done = try? http.get(callback, headers: [("Cookie", String(cookie))]) else { return nil }
        // A refusal answers the sign-in page (4xx); a session is a 303 to `continue`.
        return done.status == 303 && done.headers["location"] == "/" ? (BenchClock.now() - start) * 1000 : nil
    }

    /// One SAML sign-in (redirect binding out, POST binding back): the milliseconds of our
    /// assertion consumer (signature, conditions, replay, session) when it ends in a session.
    func samlSignIn() -> Double? {
        guard let login = try? http.get(base + "/auth/login?provider=adfs&id=adfs_strat-bench&continue=/"), login.status == 302,
              let sso = login.headers["location"],
              let approved = try? http.post(String(sso.prefix { $0 != "?" }), form: queryPairs(sso) + [("login", providers.string("saml", "login"))]),
              approved.status == 200, let form = postBindingForm(String(decoding: approved.body, as: UTF8.self)) else { return nil }
        let start = BenchClock.now()
        guard let done = try? http.post(form.action, form: form.fields) else { return nil }
        return done.status == 303 && done.headers["location"] == "/" ? (BenchClock.now() - start) * 1000 : nil
    }

    for (label, ours, signIn) in [("OpenID Connect", "callback", openIDSignIn), ("SAML", "assertion consumer", samlSignIn)] {
        var start = BenchClock.now()
        let first = signIn()
        report.add("\(label) sign-in round trip, first (creates the user)",
                   first != nil ? String(format: "%.1f ms (our %@ %.1f ms)", (BenchClock.now() - start) * 1000, ours, first!) : "FAILED")
        var samples: [Double] = []
        var ourSamples: [Double] = []
        var failures = 0
        for _ in 0..<roundTrips {
            start = BenchClock.now()
            if let our = signIn() { ourSamples.append(our) } else { failures += 1 }
            samples.append((BenchClock.now() - start) * 1000)
        }
        report.add("\(label) sign-in round trip, again (same user)",
                   String(format: "p50 %.1f ms, p99 %.1f ms%@", BenchClock.percentile(samples, 0.5), BenchClock.percentile(samples, 0.99),
                          failures > 0 ? " (\(failures) FAILED)" : ""))
        report.add("  of which our \(ours)", ourSamples.isEmpty ? "FAILED" :
                   String(format: "p50 %.1f ms, p99 %.1f ms", BenchClock.percentile(ourSamples, 0.5), BenchClock.percentile(ourSamples, 0.99)))
    }
    await server.shutdown()
} else {
    report.add("Sign-in round trips", "skipped: no identity providers (make test-deps: .venv-e2e with authlib, pysaml2)")
}
try report.finish()
