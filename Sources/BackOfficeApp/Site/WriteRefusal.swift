import ConfigRepo
import WebServer

/// A refused write as the person who asked sees it: the one place that decides the status of
/// each kind of refusal and the words that go with it, for every form of the site (and the
/// engine routes' JSON, `EngineAPI`). A page may show the same facts differently — field errors beside their
/// inputs, a conflict as a diff — but never with another status.
struct WriteRefusal: Sendable {
    /// What was asked for, for the words.
    enum Action: Sendable {
        case save, delete, revert, merge

        var failed: String {
            switch self {
            case .save: "Not saved"
            case .delete: "Not deleted"
            case .revert: "Not reverted"
            case .merge: "Not merged"
            }
        }
    }

    let status: HTTPStatus
    /// A word for programs (the engine routes' `error`): `invalid`, `conflict`, `not_found`,
    /// `forbidden`, `not_in_history`, `secrets_unavailable`, `store_failed`.
    let code: String
    /// A page title (`Not saved`).
    let title: String
    /// One sentence that says what happened and what to do.
    let message: String
    /// The validation problems of an invalid result, for forms that show them by field.
    let problems: [ValidationProblem]
    /// What the acting role may not change (`forbidden`), for forms that show it by field.
    let refused: [ClearanceRequirement]

    /// The refusal of `action` on `subject` ("this system", "the deployment file").
    init(_ error: WriteError, _ action: Action, subject: String) {
        title = action.failed
        problems = if case .invalid(let problems) = error { problems } else { [] }
        refused = if case .notPermitted(let refused) = error { refused } else { [] }
        switch error {
        case .invalid(let problems):
            status = .unprocessableContent
            code = "invalid"
            let list = problems.map(\.description).joined(separator: "; ")
            message = action == .revert ? "Not reverted, the result would be invalid: " + list : action.failed + ": " + list
        case .conflict(let ref, _, _):
            status = .conflict
            code = "conflict"
            message = switch action {
            case .save: "Someone changed \(subject) since you opened this page; nothing was saved."
            case .delete: "Someone changed \(subject) since you opened this page; check it and delete again."
            case .revert: "Not reverted: \(ref) changed again after that commit; revert the later change first or edit it by hand."
            case .merge: "Not merged: \(ref) changed meanwhile; review \(subject) again."
            }
        case .deploymentConflict:
            status = .conflict
            code = "conflict"
            message = action == .revert ? "Not reverted: the deployment file changed again after that commit."
                : "The deployment file changed meanwhile; nothing was saved."
        case .notPermitted(let refused):
            // The role does not meet everything the write changes (ChangeClearance).
            status = .forbidden
            code = "forbidden"
            let list = refused.map(\.description).joined(separator: "; ")
            message = action == .revert ? "Not reverted, your role may not make this change: " + list : action.failed + ": " + list
        case .notInHistory:
            // A revert names a commit of another object's history.
            status = .unprocessableContent
            code = "not_in_history"
            message = "Not reverted: that commit is not in the history of \(subject)."
        case .notFound(let ref):
            status = .notFound
            code = "not_found"
            message = "\(ref) does not exist (any more); nothing was saved."
        case .forbidden(let ref):
            status = .forbidden
            code = "forbidden"
            message = action.failed + ": your role may not change \(ref)."
        case .secretsUnavailable(let reason):
            status = .internalServerError
            code = "secrets_unavailable"
            message = "Secrets cannot be encrypted: \(reason)"
        case .store(.revertConflict(let paths)):
            status = .conflict
            code = "conflict"
            message = "Not reverted: later commits changed " + paths.joined(separator: ", ") + "."
        case .store(let error):
            status = .internalServerError
            code = "store_failed"
            message = "The configuration store failed: \(error)"
        }
    }

    /// The problems of an invalid write that concern the file at `path`, by the form input of
    /// their field (`inputName`); the rest as sentences for the top of the form.
    func fieldErrors(path: String, inputName: (String) -> String?, label: (ValidationProblem) -> String = \.message)
        -> (errors: [String: String], general: [String]) {
        var errors: [String: String] = [:]
        var general: [String] = []
        for problem in problems {
            if problem.path == path, let name = inputName(problem.field) {
                let text = label(problem)
                errors[name] = errors[name].map { $0 + "; " + text } ?? text
            } else {
                general.append(problem.description)
            }
        }
        return (errors, general)
    }

    /// What the role may not change, by the form input of its field when the requirement is
    /// about a field of the file at one of `paths`; the rest as sentences for the top of the form.
    func clearanceErrors(paths: Set<String>, inputName: (String) -> String?) -> (errors: [String: String], general: [String]) {
        var errors: [String: String] = [:]
        var general: [String] = []
        for requirement in refused {
            if paths.contains(requirement.path), let name = requirement.field.flatMap(inputName) {
                errors[name] = errors[name].map { $0 + "; " + requirement.reason } ?? "Not saved: " + requirement.reason
            } else {
                general.append("Not saved, your role may not make this change: " + requirement.description)
            }
        }
        return (errors, general)
    }
}
