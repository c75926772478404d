import Metrics
import WebServer

/// Counts answered requests by route pattern and status, and their duration by route, from the
/// router's observer: patterns, not paths, so ids and tokens never become label values and the
/// number of series stays the number of routes.
enum HTTPRequestMetrics {
    private static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    static func observer(_ registry: MetricsRegistry) -> RequestObserver {
        let requests = registry.counter("backoffice_http_requests_total", help: "HTTP requests answered, by method, route pattern and status.",
                                        labels: ["method", "route", "status"])
        let seconds = registry.histogram("backoffice_http_request_seconds", help: "Time from routing to the response, by route pattern.",
                                         labels: ["route"])
        return { answer in
            // No route: a 404 or 405; the path is never a label, nor a method no route knows.
            let route = answer.route?.pattern ?? "unmatched"
            let method = answer.route != nil || knownMethods.contains(answer.method.rawValue) ? answer.method.rawValue : "other"
            requests.labels(method, route, String(answer.status.code)).increment()
            let (whole, attoseconds) = answer.duration.components
            seconds.labels(route).observe(Double(whole) + Double(attoseconds) / 1e18)
        }
    }
}
