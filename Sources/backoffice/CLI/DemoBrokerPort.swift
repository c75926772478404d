import ConfigRepo
import MQTT

/// The sample building's MQTT broker is a real mosquitto that `serve` starts on loopback. Its
/// port cannot be fixed like the other simulators' (several servers on one machine would share
/// it), so `sample-config` names the placeholder 18830, and creating a repository records a
/// free port instead: in the brokers at `127.0.0.1:18830` and the `mqtt://127.0.0.1:18830` URIs
/// of drivers and modules. The port then lives in the configuration like every other.
struct DemoBrokerPort {
    static let placeholder = 18830

    let port: Int

    /// A free loopback port, or the placeholder when none can be found (then a taken port is
    /// reported when the demo starts, like any simulator's).
    static func choose() -> DemoBrokerPort {
        DemoBrokerPort(port: (try? MosquittoBroker.freePort()) ?? placeholder)
    }

    /// `bytes` with the placeholder replaced, for a broker, driver or module file that uses it.
    func rewrite(path: String, bytes: [UInt8]) -> [UInt8] {
        guard case .object(let ref) = RepoPath(path), [.broker, .driver, .module].contains(ref.kind),
              var document = try? ConfigDocument.decode(bytes, ref: ref, version: nil) else { return bytes }
        let placeholderURI = "mqtt://127.0.0.1:\(Self.placeholder)"
        var changed = false
        if ref.kind == .broker, document.string("host") == "127.0.0.1", document.int("port") == Self.placeholder {
            document["port"] = .int(port)
            changed = true
        }
        for field in ["uri", "default_uri"] {
            guard let uri = document.string(field), uri == placeholderURI || uri.hasPrefix(placeholderURI + "/") else { continue }
            document[field] = .string("mqtt://127.0.0.1:\(port)" + uri.dropFirst(placeholderURI.count))
            changed = true
        }
        return changed ? document.canonicalBytes : bytes
    }
}
