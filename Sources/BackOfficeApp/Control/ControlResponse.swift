import Auth
import ConfigRepo
import Runtime
import WebServer

/// Encodes the responses of the control API (placeos-api §5). `notify` carries no `id`, so one
/// encoded notification serves every client bound to the same status.
enum ControlResponse {
    static func success(id: Int, meta: ControlMeta, value: JSONValue? = nil, code: Int? = nil) -> String {
        var members: [String: JSONValue] = ["id": .int(id), "type": "success", "meta": meta.json]
        if let value { members["value"] = value }
        if let code { members["code"] = .int(code) }
        return JSONWriter.compactString(.object(members))
    }

    static func error(id: Int?, code: Int, message: String, meta: ControlMeta? = nil, httpCode: Int? = nil) -> String {
        var members: [String: JSONValue] = ["id": id.map(JSONValue.int) ?? .null, "type": "error",
                                            "error_code": .int(code), "msg": .string(message)]
        if let meta { members["meta"] = meta.json }
        if let httpCode { members["code"] = .int(httpCode) }
        return JSONWriter.compactString(.object(members))
    }

    static func error(id: Int, _ error: RuntimeError, meta: ControlMeta) -> String {
        Self.error(id: id, code: error.controlCode, message: error.message, meta: meta, httpCode: error.httpStatus)
    }

    static func notify(meta: ControlMeta, value: JSONValue) -> String {
        JSONWriter.compactString(.object(["type": "notify", "meta": meta.json, "value": value]))
    }

    static func debug(module: String, level: String, message: String, meta: ControlMeta) -> String {
        JSONWriter.compactString(.object(["type": "debug", "mod": .string(module), "level": .string(level),
                                          "msg": .string(message), "meta": meta.json]))
    }
}
