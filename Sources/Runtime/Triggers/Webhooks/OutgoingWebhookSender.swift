import ConfigRepo
import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Our webhook action (beyond PlaceOS): sends the firing instance's state as JSON to a URL,
/// signed so the receiver can tell it came from this deployment and was not altered:
/// `X-BackOffice-Signature: sha256=<hex HMAC-SHA256 of the body>`, keyed with the trigger's
/// signing secret (`TriggerEngine.webhookSigningSecret(ofTrigger:)`). http and https
/// (URLSession, as DriverKit's HTTP client); redirects are not followed (a signed body goes to
/// the URL configured, nowhere else); 10 s at most; a non-2xx answer is an action error.
struct OutgoingWebhookSender: Sendable {
    static let timeout: Double = 10

    let box: SecretBox

    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        return URLSession(configuration: configuration, delegate: RedirectRefuser(), delegateQueue: nil)
    }()

    /// The signing secret of a trigger: 43 URL-safe characters derived from the deployment
    /// secret; the HMAC key is its UTF-8 text, as receivers (GitHub-style) store it.
    static func signingSecret(box: SecretBox, trigger: String) -> String {
        Base64URL.encode(box.derivedSecret(purpose: "trigger webhook signing", subject: trigger))
    }

    /// The body: the instance's state (`TriggerInstanceState.json`) with the trigger's and
    /// system's names, when it fired and whether by hand.
    static func body(_ firing: TriggerFiring) -> [UInt8] {
        var members = firing.state.json.objectValue ?? [:]
        members["trigger_name"] = .string(firing.triggerName)
        members["system_name"] = .string(firing.systemName)
        members["fired_at"] = .string(TriggerInstanceState.format(firing.firedAt))
        members["manual"] = .bool(firing.manual)
        return Array(JSONWriter.compactString(.object(members)).utf8)
    }

    static func signature(of body: [UInt8], secret: String) -> String {
        "sha256=" + Hex.encode(HMAC.code(.sha256, key: Array(secret.utf8), message: body))
    }

    /// Sends one webhook; nil when the receiver answered 2xx, else why not.
    func send(_ firing: TriggerFiring, to webhook: WebhookAction) async -> String? {
        guard let url = URL(string: webhook.url), url.scheme == "http" || url.scheme == "https" else {
            return "not an http(s) URL"
        }
        var request = URLRequest(url: url, timeoutInterval: Self.timeout)
        request.httpMethod = webhook.method
        let body = ["GET", "HEAD"].contains(webhook.method) ? [] : Self.body(firing)
        if !body.isEmpty {
            request.httpBody = Data(body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let secret = Self.signingSecret(box: box, trigger: firing.triggerID)
        request.setValue(Self.signature(of: body, secret: secret), forHTTPHeaderField: "X-BackOffice-Signature")
        request.setValue(firing.triggerID, forHTTPHeaderField: "X-BackOffice-Trigger")
        request.setValue(firing.instanceID, forHTTPHeaderField: "X-BackOffice-Instance")
        request.setValue("BackOffice triggers", forHTTPHeaderField: "User-Agent")
        do {
            let (data, response) = try await Self.session.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard (200..<300).contains(status) else {
                let text = String(decoding: data.prefix(200), as: UTF8.self)
                return "HTTP \(status)\(text.isEmpty ? "" : ": \(text)")"
            }
            return nil
        } catch {
            return error.localizedDescription
        }
    }
}

/// Answers every redirect with "do not follow": the webhook's response is the 3xx itself.
private final class RedirectRefuser: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
