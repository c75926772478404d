@testable import BackOfficeApp
import ConfigRepo
import TestSupport
import Testing

/// The word index `q` searches: a query word matches the start of a word of the id or a
/// searched field (case and punctuation ignored, never the middle of a word), and an index
/// built from the previous commit's keeps id order and follows changed, added and removed objects.
@Suite struct WordIndexTests {
    static func system(_ id: String, _ name: String, email: String? = nil, seed: String? = nil) -> RepoFile {
        var members = #""name": "\#(name)""#
        if let email { members += #", "email": "\#(email)""# }
        return RepoFile(path: "systems/\(id).json", blob: SampleConfig.blob(seed ?? id + name), bytes: Array("{\(members)}".utf8))
    }

    static func ids(_ index: WordIndex, _ query: String) -> [String] {
        let needles = WordIndex.needles(for: IndexQuery.words(of: query))
        return index.entries.filter { WordIndex.matches($0, needles) }.map(\.document.id)
    }

    @Test func queryWordsArePrefixesOfWordsAndAllMustMatch() {
        let snapshot = Snapshot(commit: nil, files: [
            Self.system("sys-b", "Room 12 North", email: "room12@harbour.example"),
            Self.system("sys-a", "Boardroom 1"),
            Self.system("sys-c", "Ärztezimmer Süd"),
        ])
        let index = WordIndex(.systems, in: snapshot, previous: nil)
        #expect(index.entries.map(\.document.id) == ["sys-a", "sys-b", "sys-c"])
        #expect(Self.ids(index, "room") == ["sys-b"])           // "Boardroom" holds "room" mid-word: no
        #expect(Self.ids(index, "ROOM 1") == ["sys-b"])         // both words, each a prefix
        #expect(Self.ids(index, "room 13") == [])
        #expect(Self.ids(index, "board-1") == ["sys-a"])        // punctuation cuts the query too
        #expect(Self.ids(index, "harbour") == ["sys-b"])        // the email's words
        #expect(Self.ids(index, "sys c") == ["sys-c"])          // the id's words
        #expect(Self.ids(index, "ärzte süd") == ["sys-c"])      // case folded beyond ASCII
        #expect(Self.ids(index, "arzte") == [])
    }

    @Test func anIndexFromThePreviousCommitFollowsChanges() {
        let first = Snapshot(commit: nil, files: [Self.system("sys-a", "Alpha"), Self.system("sys-c", "Gamma"), Self.system("sys-e", "Epsilon")])
        let before = WordIndex(.systems, in: first, previous: nil)
        let second = first.applying([
            "systems/sys-c.json": Self.system("sys-c", "Gamma Renamed", seed: "changed"),
            "systems/sys-e.json": nil as RepoFile?,
            "systems/sys-b.json": Self.system("sys-b", "Beta"),
            "systems/sys-z.json": Self.system("sys-z", "Zeta"),
        ], commit: nil)
        let after = WordIndex(.systems, in: second, previous: before)
        #expect(after.entries.map(\.document.id) == ["sys-a", "sys-b", "sys-c", "sys-z"])
        #expect(Self.ids(after, "renamed") == ["sys-c"])
        #expect(Self.ids(after, "epsilon") == [])
        #expect(Self.ids(after, "beta") == ["sys-b"] && Self.ids(after, "zeta") == ["sys-z"])
        #expect(after.entry("sys-e") == nil && after.entry("sys-b")?.document.string("name") == "Beta")
    }
}
