import Auth
import SiteGen
import WebServer

/// Error answers for browsers in the site's layout — the status in words, the message, the
/// request id and a link home — instead of the web server's bare page: for errors handlers
/// throw and unknown routes (the server's `errorPage`) and for the gate's refusals (`wrap`).
/// JSON clients keep their JSON answers (`ErrorRenderer`).
enum SiteErrorPage {
    static func page(site: SiteService) -> ErrorPage {
        { status, message, requestID in
            let title: String = switch status.code {
            case 404: "Not found"
            case 403: "No access"
            case 401: "Sign in required"
            default: status.reason
            }
            let text = (message.isEmpty ? status.reason : message) + " (request id \(requestID))"
            guard let snapshot = try? site.head(),
                  let page = try? site.renderer(snapshot).page("message", title: title, kind: nil,
                                                               ["message": .string(text), "level": "error", "homeURL": "/backoffice/"]) else {
                return "<!doctype html><title>\(status.code)</title><p>\(escapeHTML(text))</p><p><a href=\"/backoffice/\">BackOffice home</a></p>"
            }
            return String(decoding: page, as: UTF8.self)
        }
    }

    /// The gate with its HTML refusals (403) rendered as site pages.
    static func wrap(_ gate: RequestGate?, site: SiteService) -> RequestGate? {
        guard let gate else { return nil }
        let page = page(site: site)
        return { request, route in
            guard var response = gate(&request, route) else { return nil }
            if response.status == .forbidden, response.headers["content-type"]?.hasPrefix("text/html") == true {
                // The gate refuses for a missing role or a request from another site's page; its
                // built-in page says which, so the site's page says it too.
                let crossSite = String(decoding: response.body, as: UTF8.self).contains("another site")
                let message = crossSite ? "refused: this request came from a page of another site or port" : "you do not have access to this"
                response.body = Array(page(.forbidden, message, request.id).utf8)
            }
            return response
        }
    }
}
