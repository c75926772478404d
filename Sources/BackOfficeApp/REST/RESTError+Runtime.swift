import ConfigRepo
import Runtime
import WebServer

/// The routes under `/api/engine/v2` that are not configuration resources (trigger instances,
/// the git side of repositories and drivers) answer refusals in the same PlaceOS bodies as the
/// resources (`RESTError`): `{error}` with the message, 400 with the parameter, 403 empty, 422
/// with its failures. (The engine routes of modules and systems keep their `{error: code,
/// message}`, which drivers' errors are made of.)
extension RESTError {
    /// `{error: message}` with `status`.
    static func failure(_ status: HTTPStatus, _ message: String, adding extra: [String: JSONValue] = [:]) -> RESTError {
        RESTError(status: status, body: .object(extra.merging(["error": .string(message)]) { _, new in new }))
    }

    /// A runtime error at its HTTP status (or `status`), in REST's shape.
    init(_ error: RuntimeError, status: Int? = nil) {
        let status = HTTPStatus(status ?? error.httpStatus)
        self = status == .forbidden ? .forbidden : .failure(status, error.message)
    }

    /// Runs `handler` for a signed-in caller (401 otherwise) and answers what it throws in
    /// REST's shapes: a `RESTError` as itself, a runtime error at its status (after
    /// `status(for:)`, which lets a feature name its own), a refused write as the forms' refusal.
    static func answering(_ request: Request, status: (RuntimeError) -> Int? = { _ in nil },
                          _ handler: () async throws -> Response) async -> Response {
        guard request.principal.isAuthenticated else { return signInRequired.response }
        do {
            return try await handler()
        } catch let error as RESTError {
            return error.response
        } catch let error as RuntimeError {
            return RESTError(error, status: status(error)).response
        } catch let error as WriteError {
            let refusal = WriteRefusal(error, .save, subject: "the system")
            return refusal.status == .forbidden ? forbidden.response : failure(refusal.status, refusal.message).response
        } catch {
            return failure(.internalServerError, "\(error)").response
        }
    }
}
