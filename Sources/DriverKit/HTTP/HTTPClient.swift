import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTP for service modules (URLSession from FoundationNetworking). Relative paths resolve
/// against the module's `uri`; the empty path is the `uri` itself.
@DriverActor
public final class HTTPClient {
    public let base: URL?
    public var timeout: Duration = .seconds(10)
    public var headers: [String: String] = [:]

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
        let url: URL
        if path.isEmpty, let base {
            url = base
        } else if let resolved = URL(string: path, relativeTo: base), resolved.scheme != nil {
            url = resolved.absoluteURL
        } else {
            throw DriverError.failed("no URL for \"\(path)\" (module uri: \(base?.absoluteString ?? "none"))")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        for (name, value) in headers.merging(extra, uniquingKeysWith: { _, new in new }) {
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
