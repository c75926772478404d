import Metrics
import WebServer

/// `GET /metrics`: the process's registry in the Prometheus text format, for admins and for API
/// keys granted the `metrics` scope (`AccessPolicy.standard`). Modules and driver processes are
/// read from the runtime at each scrape; the rest is counted as it happens.
struct MetricsEndpoint: Feature {
    let registry: MetricsRegistry

    func mount(on router: inout Router) {
        router.get("/metrics") { [registry] _ in
            var response = Response(status: .ok, body: Array(registry.exposition().utf8))
            response.headers.set("Content-Type", MetricsRegistry.contentType)
            response.headers.set("Cache-Control", "no-store")
            return response
        }
    }

    /// `backoffice_build_info{version="…"} 1`, the usual way to expose a version.
    static func registerBuildInfo(version: String, in registry: MetricsRegistry) {
        registry.gauge("backoffice_build_info", help: "The running product's version (always 1).", labels: ["version"])
            .labels(version).set(1)
    }
}
