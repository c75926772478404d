import ConfigRepo
import Foundation
import Runtime
import SiteGen
import WebServer

/// "Add driver" from a repository's page: the new-driver form opened with
/// `?repository=ID&file=F&commit=C` is filled from the driver's metadata at that commit (name,
/// description, role, module name, default port or URI, default settings, settings schema) and
/// pinned to the commit. The metadata needs a build: until it is there the form says so and
/// reloads itself; a driver that does not build says why. Saving is the form's one commit.
struct DriverPrefill {
    /// The form's inputs to fill in.
    var inputs: [String: String] = [:]
    /// What to tell the reader above the form.
    var notice: TrustedHTML?
    /// Whether the page should reload itself (the build is still running).
    var waiting = false

    static func newDriverURL(repositoryID: String, file: String, commit: ObjectID) -> String {
        SiteURL.new(.driver) + "?repository=" + FormEncoding.encode(repositoryID) + "&file=" + FormEncoding.encode(file)
            + "&commit=" + commit.hex
    }

    /// The prefill the request asks for, or nil when it asks for none.
    static func from(_ request: Request, repositories: DriverRepositories) -> DriverPrefill? {
        guard let repositoryID = request.query("repository"), let file = request.query("file"), !file.isEmpty else { return nil }
        var prefill = DriverPrefill(inputs: ["repository_id": repositoryID, "file_name": file])
        let commit: ObjectID
        do {
            commit = try repositories.commit(repositoryID, revision: request.query("commit"))
        } catch {
            prefill.notice = Notices.message("Cannot read \(file) of \(repositoryID): \(RepositoryGitController.describe(error))", kind: "error")
            return prefill
        }
        prefill.inputs["commit"] = commit.hex
        let key = repositories.builds.key(repositoryID: repositoryID, file: file, commit: commit)
        switch repositories.builds.request(key) {
        case .built(let built):
            prefill.fill(from: built.metadata.json)
            prefill.notice = Notices.message("Filled in from \(file) at \(commit.short); check the fields and save.")
        case .failed(let failure):
            prefill.notice = Notices.message("\(file) at \(commit.short) cannot be added: \(failure.message)", kind: "error")
        case .queued, .building:
            prefill.waiting = true
            prefill.notice = Notices.message("Building \(file) at \(commit.short) to read its metadata; this form fills in when it is built.",
                                             kind: "warn")
        }
        return prefill
    }

    /// The form's inputs from a driver's `--metadata` object.
    mutating func fill(from metadata: JSONValue) {
        for (field, key) in [("name", "name"), ("description", "description"), ("module_name", "module_name"), ("default_uri", "default_uri")] {
            if let text = metadata[key]?.stringValue, !text.isEmpty { inputs[field] = text }
        }
        if let role = metadata["role"]?.intValue { inputs["role"] = String(role) }
        if let port = metadata["default_port"]?.intValue { inputs["default_port"] = String(port) }
        if let settings = metadata["default_settings"], let members = settings.objectValue, !members.isEmpty {
            inputs["settings.none"] = JSONWriter.canonicalString(settings)
        }
        if let schema = metadata["settings_schema"], schema.objectValue != nil {
            inputs["json_schema"] = JSONWriter.canonicalString(schema)
        }
    }
}
