import ConfigRepo
import WebServer

/// A REST request refused with PlaceOS's status and body (placeos-api §1): 400
/// `{error, parameter, restriction}`, 401 and 404 `{error}`, 403 empty, 409 the current
/// object, 422 `{error, failures: [{field, reason}]}`.
struct RESTError: Error, Sendable {
    let status: HTTPStatus
    let body: JSONValue?
    var headers: HTTPHeaders = HTTPHeaders()

    var response: Response {
        var response = body.map { Response.json(JSONWriter.compactString($0), status: status) } ?? Response(status: status)
        for (name, value) in headers { response.headers.add(name, value) }
        return response
    }

    static func badRequest(_ message: String, parameter: String, restriction: String) -> RESTError {
        RESTError(status: .badRequest, body: .object(["error": .string(message), "parameter": .string(parameter),
                                                      "restriction": .string(restriction)]))
    }

    static func notFound(_ message: String) -> RESTError {
        RESTError(status: .notFound, body: .object(["error": .string(message)]))
    }

    static let forbidden = RESTError(status: .forbidden, body: nil)

    static var signInRequired: RESTError {
        RESTError(status: .unauthorized, body: .object(["error": "sign in required"]), headers: ["WWW-Authenticate": "Bearer"])
    }

    /// 422 naming each field: `field` is the member of the object written (`zones[1]`), or
    /// `<file>: <member>` for a problem a cascade caused in another file.
    static func invalid(_ problems: [ValidationProblem], target path: String) -> RESTError {
        let failures: [JSONValue] = problems.map { problem in
            let field = problem.path == path ? problem.field : problem.field.isEmpty ? problem.path : problem.path + ": " + problem.field
            return .object(["field": .string(field), "reason": .string(problem.message)])
        }
        return RESTError(status: .unprocessableContent, body: .object([
            "error": .string("validation failed: " + problems.map(\.description).joined(separator: "; ")),
            "failures": .array(failures),
        ]))
    }

    static func invalid(field: String, reason: String) -> RESTError {
        RESTError(status: .unprocessableContent, body: .object([
            "error": .string("\(field): \(reason)"),
            "failures": .array([.object(["field": .string(field), "reason": .string(reason)])]),
        ]))
    }
}
