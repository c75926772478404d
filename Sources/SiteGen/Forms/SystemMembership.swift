import ConfigRepo
import Foundation

/// One change to a system's ordered modules or zones, as the system page's Modules and Zones
/// tabs offer them: add (a module) or join (a zone), remove or leave, move up or down, or move
/// to a position (what dragging a row posts; ↑/↓ are the path without script).
/// Each is one commit whose message says what happened in words.
public struct SystemMembership: Sendable {
    /// Which list of the system.
    public enum List: String, Sendable, CaseIterable {
        case modules, zones

        public var kind: Kind { self == .modules ? .module : .zone }
        public var member: String { rawValue }
    }

    public enum Action: String, Sendable {
        case add, remove, up, down, move
    }

    public let list: List
    public let action: Action
    public let memberID: String
    /// For `move`: the 1-based position the member moves to.
    public let position: Int?

    public init(list: List, action: Action, memberID: String, position: Int? = nil) {
        self.list = list
        self.action = action
        self.memberID = memberID
        self.position = position
    }

    /// Reads the action from a form: `action` (add, remove, up, down, move; join and leave for
    /// zones too), `member` (the module's or zone's id) and for `move` its new `position` (from 1).
    public init?(list: List, action: String?, memberID: String?, position: String? = nil) {
        let names: [String: Action] = ["add": .add, "join": .add, "remove": .remove, "leave": .remove, "up": .up, "down": .down,
                                       "move": .move]
        guard let action = action.flatMap({ names[$0] }),
              let memberID = memberID?.trimmingCharacters(in: .whitespaces), !memberID.isEmpty else { return nil }
        let place = position.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        if action == .move, place == nil { return nil }
        self.init(list: list, action: action, memberID: memberID, position: place)
    }

    /// A reason the change cannot be made, said to the user.
    public struct Refusal: Error, Sendable, Equatable {
        public let message: String
    }

    /// The system with the change made, or why not.
    public func apply(to system: ConfigDocument, in snapshot: Snapshot) -> Result<ConfigDocument, Refusal> {
        var ids = system.strings(list.member)
        let noun = list.kind.noun
        let position = ids.firstIndex(of: memberID)
        switch action {
        case .add:
            guard position == nil else { return .failure(Refusal(message: "\(noun) \(memberID) is already in this system")) }
            guard let member = snapshot.document(list.kind, memberID) else { return .failure(Refusal(message: "there is no \(noun) \(memberID)")) }
            if list == .modules, let refusal = Self.logicRefusal(adding: member, to: system, in: snapshot) { return .failure(refusal) }
            ids.append(memberID)
        case .remove:
            guard let position else { return .failure(Refusal(message: "\(noun) \(memberID) is not in this system")) }
            if list == .modules, let member = snapshot.document(.module, memberID), snapshot.driver(ofModule: member)?.role == .logic,
               ModuleView(member).controlSystemID == system.id {
                let name = ObjectLabels.name(member, in: snapshot)
                return .failure(Refusal(message: "“\(name)” is this system's room logic module and belongs to it alone, so it cannot just leave "
                                        + "the list; to take it away, delete the module itself (Delete… on its page)"))
            }
            ids.remove(at: position)
        case .up, .down:
            guard let position else { return .failure(Refusal(message: "\(noun) \(memberID) is not in this system")) }
            let other = action == .up ? position - 1 : position + 1
            guard ids.indices.contains(other) else {
                return .failure(Refusal(message: "\(noun) \(memberID) is already \(action == .up ? "first" : "last")"))
            }
            ids.swapAt(position, other)
        case .move:
            guard let from = position else { return .failure(Refusal(message: "\(noun) \(memberID) is not in this system")) }
            let to = self.position ?? 0
            guard (1...ids.count).contains(to) else { return .failure(Refusal(message: "position \(to) is not between 1 and \(ids.count)")) }
            guard to - 1 != from else { return .failure(Refusal(message: "\(noun) \(memberID) is already at position \(to)")) }
            ids.remove(at: from)
            ids.insert(memberID, at: to - 1)
        }
        var changed = system
        changed.set(list.member, strings: ids)
        return .success(changed)
    }

    /// Why a module may not join a system because of its room logic, or nil: a system runs one
    /// logic module, and a logic module belongs to the one system its `control_system_id` names.
    public static func logicRefusal(adding module: ConfigDocument, to system: ConfigDocument, in snapshot: Snapshot) -> Refusal? {
        guard snapshot.driver(ofModule: module)?.role == .logic else { return nil }
        if let owner = ModuleView(module).controlSystemID, owner != system.id {
            return Refusal(message: "“\(ObjectLabels.name(module, in: snapshot))” is the room logic of "
                           + "“\(ObjectLabels.name(ObjectRef(.system, owner), in: snapshot))”; a logic module belongs to one system")
        }
        if let existing = snapshot.logicModules(ofSystem: system.id).first(where: { $0 != module.id }) {
            return Refusal(message: "“\(ObjectLabels.name(system, in: snapshot))” already has a room logic module "
                           + "(“\(ObjectLabels.name(ObjectRef(.module, existing), in: snapshot))”, \(existing)); a system runs one — edit that one instead")
        }
        return nil
    }

    /// The commit message: "Add module Projector (mod-1) to system Room 1", "Move zone Level 2
    /// (zone-l2) up in system Room 1", "System Room 1 leaves zone Level 2 (zone-l2)".
    public func message(system: ConfigDocument, in snapshot: Snapshot) -> String {
        let systemName = "system " + ObjectLabels.name(system, in: snapshot)
        let ref = ObjectRef(list.kind, memberID)
        let name = ObjectLabels.name(ref, in: snapshot)
        let member = list.kind.noun + " " + (name == memberID ? memberID : "\(name) (\(memberID))")
        switch (list, action) {
        case (.modules, .add): return "Add \(member) to \(systemName)"
        case (.modules, .remove): return "Remove \(member) from \(systemName)"
        case (.zones, .add): return "Put \(systemName) in \(member)"
        case (.zones, .remove): return "Take \(systemName) out of \(member)"
        case (_, .up): return "Move \(member) up in \(systemName)"
        case (_, .down): return "Move \(member) down in \(systemName)"
        case (_, .move): return "Move \(member) to position \(position ?? 0) in \(systemName)"
        }
    }
}
