import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTP for service modules. Relative paths resolve against the module's `uri`; the empty
/// path is the `uri` itself.
///
/// `http://` goes through DriverKit's own HTTP/1.1 exchange (`HTTPExchange`: one connection per
/// request, nothing kept between requests); `https://` and URLs with credentials through
/// URLSession (FoundationNetworking). Both follow redirects and give up after `timeout`.
@DriverActor
public final class HTTPClient {
    public let base: URL?
    public var timeout: Duration = .seconds(10)
    public var headers: [String: String] = [:]

    /// Redirects followed before a request counts as failed.
    static let maximumRedirects = 5

    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 4
        return URLSession(configuration: configuration)
    }()

    init(base: URL?) { self.base = base }

    public func get(_ path: String = "") async throws -> HTTPResponse {
        try await request("GET", path)
    }

    public func post(_ path: String = "", json: JSON) async throws -> HTTPResponse {
        try await request("POST", path, body: Array(json.serialized.utf8), headers: ["Content-Type": "application/json"])
    }

    public func request(_ method: String, _ path: String, body: [UInt8]? = nil, headers extra: [String: String] = [:]) async throws -> HTTPResponse {
        var url: URL
        if path.isEmpty, let base {
            url = base
        } else if let resolved = URL(string: path, relativeTo: base), resolved.scheme != nil {
            url = resolved.absoluteURL
        } else {
            throw DriverError.failed("no URL for \"\(path)\" (module uri: \(base?.absoluteString ?? "none"))")
        }
        let fields = headers.merging(extra, uniquingKeysWith: { _, new in new })
        var method = method, body = body
        for _ in 0...Self.maximumRedirects {
            guard url.scheme?.lowercased() == "http", url.user == nil, let host = url.host, !host.isEmpty else {
                return try await sessionRequest(method, url, body: body, headers: fields)
            }
            let response = try await plainRequest(method, url, host: host, body: body, headers: fields)
            guard [301, 302, 303, 307, 308].contains(response.status), let location = response.headers["location"],
                  let next = URL(string: location, relativeTo: url)?.absoluteURL else { return response }
            if response.status == 303 || ([301, 302].contains(response.status) && method == "POST") {
                method = "GET"
                body = nil
            }
            url = next
        }
        throw DriverError(.offline, "\(method) \(url.absoluteString) failed: more than \(Self.maximumRedirects) redirects")
    }

    /// One request over DriverKit's own connection (`http://` without credentials).
    private func plainRequest(_ method: String, _ url: URL, host: String, body: [UInt8]?, headers: [String: String]) async throws -> HTTPResponse {
        var target = url.path(percentEncoded: true)
        if target.isEmpty { target = "/" }
        if let query = url.query(percentEncoded: true) { target += "?" + query }
        let port = url.port ?? 80
        let hostField = (host.contains(":") ? "[\(host)]" : host) + (port == 80 ? "" : ":\(port)")
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(hostField)\r\nConnection: close\r\nAccept: */*\r\nUser-Agent: BackOffice-DriverKit\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            guard !(name + value).contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw DriverError.badArguments("header \(name) contains a line break")
            }
            head += "\(name): \(value)\r\n"
        }
        if body != nil || method == "POST" || method == "PUT" { head += "Content-Length: \(body?.count ?? 0)\r\n" }
        head += "\r\n"
        let exchange = HTTPExchange(host: host, port: port, request: Array(head.utf8) + (body ?? []), timeout: timeout)
        do {
            return try await exchange.response()
        } catch let error as DriverError {
            throw DriverError(error.code, "\(method) \(url.absoluteString) failed: \(error.message)")
        }
    }

    /// One request through URLSession (`https://`, credentials in the URL).
    private func sessionRequest(_ method: String, _ url: URL, body: [UInt8]?, headers: [String: String]) async throws -> HTTPResponse {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        for (name, value) in headers {
            request.setValue(value, forHTTPHeaderField: name)
        }
        if let body { request.httpBody = Data(body) }
        do {
            let (data, response) = try await Self.session.data(for: request)
            let http = response as? HTTPURLResponse
            var headers: [String: String] = [:]
            for (name, value) in http?.allHeaderFields ?? [:] {
                headers[String(describing: name).lowercased()] = String(describing: value)
            }
            return HTTPResponse(status: http?.statusCode ?? 0, headers: headers, body: Array(data))
        } catch {
            throw DriverError(.offline, "\(method) \(url.absoluteString) failed: \(error.localizedDescription)")
        }
    }
}
