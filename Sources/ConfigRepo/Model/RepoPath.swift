/// What a path in the configuration repository holds.
public enum RepoPath: Hashable, Sendable {
    /// `backoffice.json`.
    case deployment
    /// A JSON file of a kind's directory.
    case object(ObjectRef)
    /// `maps/<name>.svg`.
    case map(name: String)
    /// A file outside the configuration layout (README, CI files…): ignored.
    case ignored
    /// A file inside the layout that breaks its naming rules.
    case invalid(reason: String)

    /// The name of the deployment-wide file.
    public static let deploymentFile = "backoffice.json"

    /// The path of the level map `name` (`level-2.svg` → `maps/level-2.svg`).
    public static func mapPath(_ name: String) -> String { "maps/" + name }

    /// Classifies a path of the repository tree.
    public init(_ path: String) {
        if path == Self.deploymentFile {
            self = .deployment
            return
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard let top = parts.first else { self = .ignored; return }
        if top == "maps" {
            guard parts.count == 2 else { self = .invalid(reason: "maps/ holds SVG files directly, not folders"); return }
            guard parts[1].hasSuffix(".svg") else { self = .invalid(reason: "only .svg files belong in maps/"); return }
            self = .map(name: String(parts[1]))
            return
        }
        guard let kind = Kind(directory: String(top)) else { self = .ignored; return }
        if kind == .metadata {
            guard parts.count == 3 else {
                self = .invalid(reason: "metadata files are metadata/<parent-id>/<name>.json")
                return
            }
            let name = parts[2]
            guard name.hasSuffix(".json") else { self = .invalid(reason: "metadata files must end in .json"); return }
            let bare = String(name.dropLast(5))
            guard IdentifierRules.isValidMetadataName(bare) else {
                self = .invalid(reason: "metadata name \"\(bare)\" may use only letters, digits, _ ~ - and .")
                return
            }
            self = .object(ObjectRef(.metadata, "\(parts[1])/\(bare)"))
            return
        }
        guard parts.count == 2 || parts.count == 3 else {
            self = .invalid(reason: "\(kind.directory)/ holds <id>.json files, directly or in two-hex-digit shard folders")
            return
        }
        guard let name = parts.last, name.hasSuffix(".json") else {
            self = .invalid(reason: "only .json files belong in \(kind.directory)/")
            return
        }
        let id = String(name.dropLast(5))
        guard IdentifierRules.isValidID(id, of: kind) else {
            let prefixes = kind.idPrefixes.map { "\"\($0)\"" }.joined(separator: " or ")
            self = .invalid(reason: "\"\(id)\" is not a valid \(kind.noun) id: it must start with \(prefixes) followed by 1–64 of A–Z a–z 0–9 _ ~ -")
            return
        }
        if parts.count == 3 && parts[1] != ObjectShard.of(id) {
            self = .invalid(reason: "a sharded file lives in the folder of its id's shard: this one belongs at \(ObjectRef(kind, id).shardedPath)")
            return
        }
        self = .object(ObjectRef(kind, id))
    }
}
