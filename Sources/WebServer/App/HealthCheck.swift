#if canImport(Glibc)
import Glibc
#endif

extension Router {
    /// Adds `GET /healthz`: 200 with `{"status":"ok","version":…,"uptime_seconds":…}`.
    public mutating func addHealthCheck(version: String) {
        let started = monotonicMilliseconds()
        add(.get, "/healthz", immediate: { _ in
            let uptime = (monotonicMilliseconds() - started) / 1000
            var response = Response.json("{\"status\":\"ok\",\"version\":\(jsonString(version)),\"uptime_seconds\":\(uptime)}\n")
            response.headers.set("Cache-Control", "no-store")
            return response
        })
    }
}
