import ConfigRepo

/// The notices above a page: the invalid-head banner (DESIGN §3.5) and one-off messages.
public enum Notices {
    /// The banner listing the problems of an invalid branch head; empty when it is valid.
    public static func banner(_ problems: [ValidationProblem], limit: Int = 20) -> TrustedHTML {
        guard !problems.isEmpty else { return TrustedHTML(trusted: "") }
        var html = "<div class=\"banner\" role=\"alert\"><div class=\"notice error\"><strong>The configuration at the head of the branch is invalid"
            + " (\(problems.count) problem\(problems.count == 1 ? "" : "s")).</strong> Running modules keep the last valid commit until it is fixed.<ul>"
        for problem in problems.prefix(limit) {
            html += "<li><code>" + Escaping.escape(problem.path) + "</code> " + Escaping.escape(problem.field) + ": "
                + Escaping.escape(problem.message) + "</li>"
        }
        if problems.count > limit { html += "<li>… and \(problems.count - limit) more (run <code>backoffice check</code>)</li>" }
        return TrustedHTML(trusted: html + "</ul></div></div>")
    }

    /// The banner of an upstream head the deployment refused to take (docs/git-workflows.md):
    /// its commit, author and subject, why, and its validation problems when those are why.
    public static func refusedUpstream(commit: String, author: String, subject: String, reason: String,
                                       problems: [ValidationProblem], limit: Int = 20) -> TrustedHTML {
        var html = "<div class=\"banner\" role=\"alert\"><div class=\"notice error\"><strong>The upstream head <code>"
            + Escaping.escape(commit) + "</code> by " + Escaping.escape(author) + " (" + Escaping.escape(subject)
            + ") was not applied:</strong> " + Escaping.escape(reason) + "."
        if !problems.isEmpty {
            html += "<ul>"
            for problem in problems.prefix(limit) {
                html += "<li><code>" + Escaping.escape(problem.path) + "</code> " + Escaping.escape(problem.field) + ": "
                    + Escaping.escape(problem.message) + "</li>"
            }
            if problems.count > limit { html += "<li>… and \(problems.count - limit) more</li>" }
            html += "</ul>"
        }
        return TrustedHTML(trusted: html + "</div></div>")
    }

    /// A one-line message (`kind`: ok, warn or error).
    public static func message(_ text: String, kind: String = "ok") -> TrustedHTML {
        TrustedHTML(trusted: "<div class=\"banner\"><div class=\"notice \(Escaping.escape(kind, context: .attribute))\">" + Escaping.escape(text) + "</div></div>")
    }
}
